// Error bodies are reduced to keys and error kinds before they reach a reason, a log or the store.
// Shapes: Primero's envelope `{errors: [{status, resource, detail, message, value}]}`
// (primeroIMS/primero app/views/api/v2/errors/_error.json.jbuilder, app/services/error_service.rb),
// OSCaR's upsert `{external_id, message: {field: [msgs]}}` and `{error, message}` from
// update_statuses (Children-in-Families/oscar-web
// app/controllers/api/v1/organizations/clients_controller.rb, referrals_controller.rb).
import { describe, expect, it } from 'vitest';
import { describeErrorBody, errorKinds } from '../../src/http/error-text.ts';
import { summarizeErrorBody } from '../../src/http/errors.ts';
import { scrubOscarReason } from '../../src/clients/oscar.ts';

const NAME = 'Sentinelname Kosal';
const PHONE = '012345678';
const BIRTH = '2013-04-05';
const SENTINELS = ['Sentinelname', 'Kosal', PHONE, BIRTH];

function expectNoSentinel(text: string): void {
  for (const sentinel of SENTINELS) expect(text).not.toContain(sentinel);
}

describe('describeErrorBody', () => {
  it("Primero's envelope: kinds and field names, never `value`, `resource` or a quoted detail", () => {
    const body = {
      errors: [
        {
          status: 422,
          resource: `/api/v2/cases/${NAME}`,
          detail: 'name_first',
          message: [`${NAME} is too long`],
          value: NAME,
        },
        {
          status: 422,
          resource: '/api/v2/cases',
          detail: `${PHONE} ${BIRTH}`,
          message: [`phone ${PHONE} is invalid`],
          value: PHONE,
        },
        {
          status: 422,
          resource: '/api/v2/cases',
          detail: ['/remote'],
          message: 'Invalid Record JSON',
        },
      ],
    };
    const text = describeErrorBody(body);
    expect(text).toBe('too long (name_first); invalid; Invalid Record JSON (/remote)');
    expectNoSentinel(text);
    expect(summarizeErrorBody(body)).toBe(text);
  });

  it("OSCaR's `{field: [msgs]}`, `errors` and `error`: field names and kinds only", () => {
    const body = {
      external_id: 'case-1',
      message: {
        given_name: [`${NAME} is too long`],
        [NAME]: [PHONE],
        referral_phone: ["can't be blank"],
      },
      errors: { global_id: 'global_id must exist.' },
      error: `Validation failed: Client name ${NAME} has already been taken`,
    };
    const text = scrubOscarReason(body);
    expect(text).toBe(
      "field given_name: too long; field (field): rejected; field referral_phone: can't be blank; " +
        'already exists; field global_id: must exist',
    );
    expectNoSentinel(text);
  });

  it("keeps the systems' fixed sentences word for word", () => {
    expect(
      describeErrorBody({
        error:
          "Validation failed: Referral status must be one of ['Accepted', 'Exited', 'Referred'].",
        message: 'Record error. Please check OSCaR logs for details.',
      }),
    ).toBe(
      "Record error. Please check OSCaR logs for details.; not one of 'Accepted', 'Exited', 'Referred'",
    );
    expect(describeErrorBody({ error: 'Invalid User name or password.' })).toBe(
      'Invalid User name or password.',
    );
  });

  it('an unknown text becomes "rejected", never the text', () => {
    expect(errorKinds(`${NAME} ${PHONE}`)).toEqual(['rejected']);
    expect(describeErrorBody({ errors: [`${NAME}`] })).toBe('rejected');
    expect(describeErrorBody('not an object')).toBe('');
  });
});
