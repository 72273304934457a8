// The compiled CLI carries the jobs it imports by name (src/cli/jobs.ts); the registry names their
// files (src/workflow/steps.ts). A job renamed in one and not the other would run a stale file or
// none: each step's import must load the very module its registry file is.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JOB_IMPORTS } from '../../src/cli/jobs.ts';
import { STEPS } from '../../src/workflow/steps.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe("the CLI's jobs", () => {
  it('are the files the step registry names, one per step', async () => {
    expect(Object.keys(JOB_IMPORTS).sort()).toEqual(STEPS.map((step) => step.id).sort());
    for (const step of STEPS) {
      const carried = await JOB_IMPORTS[step.id as keyof typeof JOB_IMPORTS]();
      const named = (await import(pathToFileURL(join(ROOT, step.job)).href)) as object;
      expect(carried, step.id).toBe(named);
    }
  });
});
