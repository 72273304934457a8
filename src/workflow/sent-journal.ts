// The write-ahead journal of the sent ledger. OSCaR cannot deduplicate a re-sent referral, so the
// ledger must survive a process killed between "the upsert went on the wire" and "the run stored its
// outcome". f1-j2 reports the whole ledger here right before each upsert leaves (the referral marked
// unconfirmed) and again once OSCaR confirmed it; runWorkflow hands it to its caller
// (RunWorkflowOptions.onSentLedger), which persists it at once. Inside an OpenFn.org job nobody
// listens and the calls do nothing.
import type { SentRecord } from './contract.ts';

export type SentJournal = (sent: SentRecord[]) => void;

let journal: SentJournal | undefined;

/** Route ledger reports to `next` until the returned function is called. */
export function setSentJournal(next: SentJournal): () => void {
  const previous = journal;
  journal = next;
  return () => {
    journal = previous;
  };
}

/** Reports the ledger as it stands now (a copy; the caller keeps changing its own). */
export function journalSent(sent: Iterable<SentRecord>): void {
  journal?.([...sent].map((record) => ({ ...record })));
}
