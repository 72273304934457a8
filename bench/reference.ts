// The two reference figures each scenario is judged against (docs/performance.md, "Reference
// figures"): the requests the original OpenFn jobs' algorithm makes for the same window
// (original-jobs.md §4.1-§4.6, B3, B13, B22), and the latency floor of the necessary requests.

/** What one run has to do, measured from the emulators before the run and from the scenario design. */
export interface WorkProfile {
  /** Every Primero case before the run (a scan of them all can replace one find per child). */
  primeroCases: number;
  /** Primero cases with `last_updated_at` at or after the window start (f1 lists them). */
  primeroWindowCases: number;
  /** Of those, cases with a `referral_to_oscar` row: their referrals must be read. */
  referringCases: number;
  /** In-progress referrals on `referral_to_oscar` rows created in the window. */
  referralCandidates: number;
  /** Window cases with a decided `referral_from_oscar` row (the original re-sends them every run). */
  decisionCandidates: number;
  /** Window cases with an `oscar_number` and no `referral_to_oscar` row (same). */
  linkCandidates: number;
  /** Clients OSCaR lists for the window (`since_date`, Part A by time, Part B by date). */
  oscarWindowClients: number;
  /** Of those, clients with an `external_id`: the original's "decision" path (B13). */
  clientsWithExternalId: number;
  /** Of those, NGO referrals to MoSVY: the cases the original's pending pass (f2-j3) rewrites. */
  pendingCases: number;

  /** By design: referrals OSCaR has not received yet (one upsert each). */
  referralItems: number;
  /** By design: decisions OSCaR has not received yet (one batched PUT). */
  decisions: number;
  /** By design: links OSCaR has not received yet (one batched PUT). */
  links: number;
  /** By design: OSCaR children whose Primero case must be created or changed (one find + one write). */
  clientsToSync: number;
  /** By design: OSCaR decisions on Primero referrals (read the referrals + one PATCH each). */
  oscarDecisions: number;
  /** By design: records changed on either side since the last run (the hourly writes target). */
  changedRecords: number;
  /** By design: write requests the run needs (each changed record needs exactly one). */
  expectedWrites: number;
}

const pages = (records: number, per: number) => Math.max(1, Math.ceil(records / per));
const flag = (count: number) => (count > 0 ? 1 : 0);

export interface RequestBreakdown {
  total: number;
  parts: Record<string, number>;
}

/**
 * The original V2 jobs, step by step, doing the whole window: their own page sizes honoured
 * (per=10000 in f1-j1, the default 20 in f2-j3), i.e. without the truncations of B3 and B22, which
 * skip work rather than make it cheaper.
 */
export function originalRequests(p: WorkProfile): RequestBreakdown {
  const plainClients = Math.max(0, p.oscarWindowClients - p.clientsWithExternalId);
  const parts = {
    // Primero login, then three identical getCases(..., {withReferrals:true}): a listing plus one
    // referrals GET per listed case, each time (B3).
    'f1-j1 login + 3x(list + referrals per case)':
      1 + 3 * (pages(p.primeroWindowCases, 10_000) + p.primeroWindowCases),
    // sign_in, one upsert per (case x service), update_statuses, a second sign_in (B10), update_links.
    'f1-j2 sign-ins + upserts + statuses + links':
      2 + p.referralCandidates + flag(p.decisionCandidates) + flag(p.linkCandidates),
    'f2-j1 sign_in + list': 2,
    // Every client with an external_id is a "decision" (B13): getCases by case_id, its referrals,
    // a PATCH per matched referral, then upsertCase (search + write).
    'f2-j2 login + decision path': 1 + 4 * p.clientsWithExternalId + p.oscarDecisions,
    // upsertCase (search + write) per other client, then the pending pass: the referral_from_oscar
    // listing in pages of 20 and an upsert by id (search + write) per case.
    'f2-j3 login + upserts + pending pass':
      1 + 2 * plainClients + pages(p.pendingCases, 20) + 2 * p.pendingCases,
  };
  return { total: sum(parts), parts };
}

/**
 * The same, read as issue 9 summarises the original ("upsert every client a second time to set a
 * pending status"): the pending pass rewrites every client of the window, not only the
 * referral_from_oscar cases §4.1 says it lists. Reported beside the §4 figure, not judged.
 */
export function originalRequestsAsIssueReads(p: WorkProfile): RequestBreakdown {
  return originalRequests({ ...p, pendingCases: p.oscarWindowClients });
}

/** The requests no correct sync can avoid for this run (docs/performance.md defines each term). */
export function necessaryRequests(p: WorkProfile): RequestBreakdown {
  const parts = {
    'sign-ins (one per system)': 2,
    'Primero list pages (per=1000)': pages(p.primeroWindowCases, 1000),
    'referrals GET per referring case': p.referringCases,
    'OSCaR upsert per new referral': p.referralItems,
    'update_statuses (batched)': flag(p.decisions),
    'update_links (batched)': flag(p.links),
    'OSCaR list': 1,
    // Finding the children's cases: a find each, or one scan of Primero (count + pages) when fewer.
    'look-ups of the children to sync': Math.min(p.clientsToSync, 1 + pages(p.primeroCases, 1000)),
    'write per child to sync': p.clientsToSync,
    'referrals GET + PATCH per OSCaR decision': 2 * p.oscarDecisions,
  };
  return { total: sum(parts), parts };
}

/** necessary requests x latency / concurrency: no sync that keeps the limit can be faster. */
export function latencyFloorMs(necessary: number, latencyMs: number, concurrency: number): number {
  return (necessary * latencyMs) / Math.max(1, concurrency);
}

function sum(parts: Record<string, number>): number {
  return Object.values(parts).reduce((total, value) => total + value, 0);
}

// ---- measuring the window from the emulators' exported states -------------------------------

type Json = Record<string, any>;

const time = (value: unknown) => (typeof value === 'string' ? Date.parse(value) : NaN);

/** OSCaR cursors are `YYYY-MM-DD HH:MM:SS` in UTC; starts given by the operator are ISO-8601. */
export function oscarSinceMs(since: string): number {
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(since)
    ? `${since.replace(' ', 'T')}Z`
    : since;
  return Date.parse(iso);
}

/** The measured half of a WorkProfile (the rest comes from the scenario's design). */
export type WindowCounts = Pick<
  WorkProfile,
  | 'primeroCases'
  | 'primeroWindowCases'
  | 'referringCases'
  | 'referralCandidates'
  | 'decisionCandidates'
  | 'linkCandidates'
  | 'oscarWindowClients'
  | 'clientsWithExternalId'
  | 'pendingCases'
>;

/** The measured half of a WorkProfile, from GET /__emulator/state of both systems. */
export function measureWindow(
  primeroState: Json,
  oscarState: Json,
  from: { primero: string; oscar: string },
): WindowCounts {
  const start = Date.parse(from.primero);
  const rowsOf = (record: Json): Json[] =>
    Array.isArray(record.services_section) ? record.services_section : [];
  const window = (primeroState.cases as Json[]).filter(
    (record) => time(record.last_updated_at) >= start,
  );
  const inWindow = new Set(window.map((record) => record.id));
  const toOscarRows = new Map<string, Set<string>>();
  let decisionCandidates = 0;
  let linkCandidates = 0;
  for (const record of window) {
    const rows = rowsOf(record);
    const toOscar = rows.filter((row) => row.service_response_type === 'referral_to_oscar');
    if (toOscar.length) toOscarRows.set(record.id, new Set(toOscar.map((row) => row.unique_id)));
    if (
      rows.some(
        (row) =>
          row.service_response_type === 'referral_from_oscar' &&
          ['accepted_340953', 'rejected_936484'].includes(row.referral_status_edf41f2),
      )
    )
      decisionCandidates += 1;
    if (record.oscar_number && toOscar.length === 0) linkCandidates += 1;
  }
  const referralCandidates = (primeroState.referrals as Json[]).filter(
    (referral) =>
      inWindow.has(referral.record_id) &&
      referral.status === 'in_progress' &&
      toOscarRows.get(referral.record_id)?.has(referral.service_record_id) &&
      time(referral.created_at) >= start,
  ).length;

  const since = oscarSinceMs(from.oscar);
  const sinceDay = new Date(since).toISOString().slice(0, 10);
  let oscarWindowClients = 0;
  let clientsWithExternalId = 0;
  let pendingCases = 0;
  for (const org of oscarState.organizations as Json[]) {
    const toMosvy = new Set(
      (org.referrals as Json[])
        .filter((r) => r.ngo_name === 'primero' && r.referred_to === 'primero')
        .map((r) => r.client_id),
    );
    const partA = new Set(
      (org.referrals as Json[]).filter((r) => r.ngo_name === 'primero').map((r) => r.client_id),
    );
    for (const client of org.clients as Json[]) {
      const named =
        (client.given_name || client.local_given_name) &&
        (client.family_name || client.local_family_name);
      if (!named || !client.gender || !client.date_of_birth) continue;
      const listed =
        client.referred_external && partA.has(client.id)
          ? time(client.created_at) >= since || time(client.updated_at) >= since
          : String(client.created_at).slice(0, 10) >= sinceDay ||
            String(client.updated_at).slice(0, 10) >= sinceDay;
      if (!listed) continue;
      oscarWindowClients += 1;
      if (client.external_id) clientsWithExternalId += 1;
      if (client.referred_external && toMosvy.has(client.id)) pendingCases += 1;
    }
  }
  return {
    primeroCases: (primeroState.cases as Json[]).length,
    primeroWindowCases: window.length,
    referringCases: toOscarRows.size,
    referralCandidates,
    decisionCandidates,
    linkCandidates,
    oscarWindowClients,
    clientsWithExternalId,
    pendingCases,
  };
}
