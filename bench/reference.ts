// The reference figures each scenario is set against (docs/performance.md, "Reference figures"):
// the requests the original OpenFn jobs make for the same window, once as their code behaves
// (one page per listing: Primero caps a page at 1000 and the adaptor does not page) and once as if
// they paged; and the floor of the necessary work, per system, counting bytes as well as requests.

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
  /** Bytes (JSON) of every Primero case: what one scan of them all reads. */
  primeroBytes: number;
  /** Bytes of the window's cases: what the window's list pages carry. */
  primeroWindowBytes: number;
  /** Bytes of the referrals of the referring cases. */
  referralBytes: number;
  /** Bytes of the clients OSCaR lists for the window. */
  oscarWindowBytes: number;

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

/** Primero answers at most this many records per page (v2.10.3 and later). */
export const PRIMERO_PAGE_CAP = 1000;
/** The page the original f1-j1 asks for (B3); Primero answers PRIMERO_PAGE_CAP of them. */
const ORIGINAL_F1_PER = 10_000;
/** getCases without per/page in the original f2-j3 (B22): Primero's default page. */
const PRIMERO_DEFAULT_PER = 20;

/**
 * The original V2 jobs as their code behaves (original-jobs.md §4.1-§4.6): the adaptor does not
 * page, so each of f1-j1's three listings reads one page, PRIMERO_PAGE_CAP cases of the window and
 * their referrals (B3), and f1-j2 sends only what that page holds (counted as the page's share of
 * the window's referrals, decisions and links); f2-j3's pending pass reads one page of 20 (B22).
 * OSCaR's listing has no pages, so f2 sees every client of the window.
 */
export function originalAsCoded(p: WorkProfile): RequestBreakdown {
  const page = Math.min(p.primeroWindowCases, PRIMERO_PAGE_CAP, ORIGINAL_F1_PER);
  const share = p.primeroWindowCases > 0 ? page / p.primeroWindowCases : 0;
  const plainClients = Math.max(0, p.oscarWindowClients - p.clientsWithExternalId);
  const pending = Math.min(p.pendingCases, PRIMERO_DEFAULT_PER);
  const parts = {
    'f1-j1 login + 3x(first page + referrals per case on it)': 1 + 3 * (1 + page),
    'f1-j2 sign-ins + upserts + statuses + links (first page only)':
      2 +
      Math.round(p.referralCandidates * share) +
      flag(Math.round(p.decisionCandidates * share)) +
      flag(Math.round(p.linkCandidates * share)),
    'f2-j1 sign_in + list': 2,
    'f2-j2 login + decision path': 1 + 4 * p.clientsWithExternalId + p.oscarDecisions,
    'f2-j3 login + upserts + pending pass (first 20)': 1 + 2 * plainClients + 1 + 2 * pending,
  };
  return { total: sum(parts), parts };
}

/**
 * The original V2 jobs as if they paged: the same algorithm doing its whole window, every listing
 * read page by page at Primero's cap, f2-j3's pending pass in pages of 20. Not what runs today, but
 * the work the original would do if its truncations (B3, B22) were fixed.
 */
export function originalPaged(p: WorkProfile): RequestBreakdown {
  const plainClients = Math.max(0, p.oscarWindowClients - p.clientsWithExternalId);
  const parts = {
    // Primero login, then three identical getCases(..., {withReferrals:true}): a listing plus one
    // referrals GET per listed case, each time (B3).
    'f1-j1 login + 3x(list + referrals per case)':
      1 + 3 * (pages(p.primeroWindowCases, PRIMERO_PAGE_CAP) + p.primeroWindowCases),
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
      1 + 2 * plainClients + pages(p.pendingCases, PRIMERO_DEFAULT_PER) + 2 * p.pendingCases,
  };
  return { total: sum(parts), parts };
}

/** The work no correct sync can avoid on one system: its requests and the bytes they carry. */
export interface SystemWork {
  requests: number;
  bytes: number;
  parts: Record<string, number>;
}

export interface NecessaryWork extends RequestBreakdown {
  primero: SystemWork;
  oscar: SystemWork;
}

/** What a link costs: the time of one request and of one byte (measured in the bench run). */
export interface LinkCost {
  latencyMs: number;
  concurrency: number;
  /** Bytes a second the machine serialises, carries over loopback and parses (calibrated). */
  bytesPerMs: number;
}

/** Time of `requests` that carry `bytes`: latency shared by the lanes, bytes one after another. */
export function workMs(work: { requests: number; bytes: number }, link: LinkCost): number {
  return (
    (work.requests * link.latencyMs) / Math.max(1, link.concurrency) +
    (link.bytesPerMs > 0 ? work.bytes / link.bytesPerMs : 0)
  );
}

/**
 * The requests (and bytes) no correct sync can avoid for this run, per system (docs/performance.md
 * defines each term). The children's cases are found by one find each or by one scan of every
 * Primero case, whichever costs less at this link: a scan is few requests but carries every case.
 */
export function necessaryWork(p: WorkProfile, link?: LinkCost): NecessaryWork {
  const averageCase = p.primeroCases > 0 ? p.primeroBytes / p.primeroCases : 0;
  const averageClient = p.oscarWindowClients > 0 ? p.oscarWindowBytes / p.oscarWindowClients : 0;
  const finds = { requests: p.clientsToSync, bytes: p.clientsToSync * averageCase };
  const scan = { requests: 1 + pages(p.primeroCases, PRIMERO_PAGE_CAP), bytes: p.primeroBytes };
  const cost = (work: { requests: number; bytes: number }) =>
    link ? workMs(work, link) : work.requests;
  const lookUp = cost(scan) < cost(finds) ? scan : finds;
  const primeroParts = {
    'sign-in': 1,
    'Primero list pages (per=1000)': pages(p.primeroWindowCases, PRIMERO_PAGE_CAP),
    'referrals GET per referring case': p.referringCases,
    'look-ups of the children to sync': lookUp.requests,
    'write per child to sync': p.clientsToSync,
    'referrals GET + PATCH per OSCaR decision': 2 * p.oscarDecisions,
  };
  const oscarParts = {
    'sign-in': 1,
    'OSCaR upsert per new referral': p.referralItems,
    'update_statuses (batched)': flag(p.decisions),
    'update_links (batched)': flag(p.links),
    'OSCaR list': 1,
  };
  const primero: SystemWork = {
    requests: sum(primeroParts),
    // The window's pages, the referrals read, the look-ups; each write carries about one case.
    bytes: Math.round(
      p.primeroWindowBytes + p.referralBytes + lookUp.bytes + p.clientsToSync * averageCase,
    ),
    parts: primeroParts,
  };
  const oscar: SystemWork = {
    requests: sum(oscarParts),
    // The listing, and about one client's worth per referral sent.
    bytes: Math.round(p.oscarWindowBytes + p.referralItems * averageClient),
    parts: oscarParts,
  };
  const parts: Record<string, number> = {};
  for (const [name, count] of Object.entries(primeroParts)) parts[`primero ${name}`] = count;
  for (const [name, count] of Object.entries(oscarParts)) parts[`oscar ${name}`] = count;
  return { total: primero.requests + oscar.requests, parts, primero, oscar };
}

/** The floor of one run, per system and in all (docs/performance.md, "Floor"). */
export interface Floor {
  primeroMs: number;
  oscarMs: number;
  /** The two added: the steps talk to one system at a time (f1-j1, f2-j2 Primero; f1-j2, f2-j1 OSCaR). */
  totalMs: number;
}

export function floorOf(work: NecessaryWork, link: LinkCost): Floor {
  const primeroMs = workMs(work.primero, link);
  const oscarMs = workMs(work.oscar, link);
  return { primeroMs, oscarMs, totalMs: primeroMs + oscarMs };
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
  | 'primeroBytes'
  | 'primeroWindowBytes'
  | 'referralBytes'
  | 'oscarWindowBytes'
>;

/** The measured half of a WorkProfile, from GET /__emulator/state of both systems. */
export function measureWindow(
  primeroState: Json,
  oscarState: Json,
  from: { primero: string; oscar: string },
): WindowCounts {
  const start = Date.parse(from.primero);
  const bytes = (record: unknown) => Buffer.byteLength(JSON.stringify(record));
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
  const referralBytes = (primeroState.referrals as Json[])
    .filter((referral) => toOscarRows.has(referral.record_id))
    .reduce((total, referral) => total + bytes(referral), 0);
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
  let oscarWindowBytes = 0;
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
      oscarWindowBytes += bytes(client);
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
    primeroBytes: (primeroState.cases as Json[]).reduce(
      (total, record) => total + bytes(record),
      0,
    ),
    primeroWindowBytes: window.reduce((total, record) => total + bytes(record), 0),
    referralBytes,
    oscarWindowBytes,
  };
}
