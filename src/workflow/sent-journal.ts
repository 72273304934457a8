// The write-ahead journal of the sent ledger. OSCaR cannot deduplicate a re-sent referral, so the
// ledger must survive a process killed between "the upsert went on the wire" and "the run stored its
// outcome". f1-j2 reports the whole ledger here right before each upsert leaves (the referral marked
// unconfirmed) and again once OSCaR confirmed it; runWorkflow hands it to its caller
// (RunWorkflowOptions.onSentLedger), which persists it at once. Journals are registered per run id
// (state.run.id), so runs in one process never see each other's ledger. Inside an OpenFn.org job
// nobody registers one and the calls do nothing.
import type { SentRecord } from './contract.ts';

export type SentJournal = (sent: SentRecord[]) => void;

const journals = new Map<string, SentJournal>();

/** Routes the ledger reports of run `runId` to `journal` until the returned function is called. */
export function openSentJournal(runId: string, journal: SentJournal): () => void {
  journals.set(runId, journal);
  return () => {
    journals.delete(runId);
  };
}

/** Reports the ledger of run `runId` as it stands now (a copy; the caller keeps changing its own). */
export function journalSent(runId: string | undefined, sent: Iterable<SentRecord>): void {
  const journal = runId === undefined ? undefined : journals.get(runId);
  journal?.([...sent].map((record) => ({ ...record })));
}
