import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { FHIR_JSON } from '../fhir/operation-outcome.ts';
import { isCriticalFlag } from '../../shared/results.ts';
import { DEMO_PATIENTS, type DemoPatient } from '../seed/demo-patients.ts';
import {
  ANALYSES,
  bloodPanelBundle,
  bloodPanelReport,
  criticalPotassium,
  flagFor,
  PANEL,
  randomPanelValues,
} from './lab-samples.ts';
import { DEPARTMENTS, encounterNotification } from './message-samples.ts';
import { imagingReport, pathologyReport, type Modality } from './report-samples.ts';
import { danishTime, sexOf } from './sample-common.ts';

/**
 * `carehub lab-feed`: a simulator of the lab, imaging, pathology and hospital systems around
 * CareHub. It files realistic FHIR R4 results for the demo patients at a given rate
 * (POST /api/v1/results, application/fhir+json) and hospital notifications (admission, then
 * discharge a while later; POST /api/v1/encounters, JSON), authenticated with a system's API
 * key. One line per submission: the time, the patient's name (never the CPR), what, and the
 * answer. Bounded: it stops after --count submissions, on Ctrl-C, when the key is refused, and
 * after 5 connection failures in a row.
 */

export const MAX_CONNECTION_FAILURES = 5;

export interface Submission {
  patient: DemoPatient;
  /** What was sent, in words, for the printout. */
  what: string;
  path: '/api/v1/results' | '/api/v1/encounters';
  contentType: string;
  body: object;
}

interface PatientState {
  /** Submissions to this patient left until the discharge, while admitted. */
  dischargeIn?: number;
  hospital?: string;
  department?: string;
}

const MODALITY_NAMES: Record<Modality, string> = {
  xray: 'chest X-ray report',
  ct: 'CT thorax report',
  ultrasound: 'abdominal ultrasound report',
};

/** Decides the feed's submissions: a rotation over the demo patients; identifiers unique per run. */
export class FeedPlanner {
  private tick = 0;
  private readonly states = new Map<string, PatientState>();

  constructor(
    private readonly random: () => number,
    private readonly runId: string = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`,
    private readonly patients: readonly DemoPatient[] = DEMO_PATIENTS,
  ) {}

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length) % list.length] as T;
  }

  /** `now` minus `minutes`, as a Danish FHIR dateTime. */
  private ago(now: Date, minutes: number): string {
    return danishTime(new Date(now.getTime() - minutes * 60_000));
  }

  next(now: Date): Submission {
    const n = this.tick++;
    const patient = this.patients[n % this.patients.length] as DemoPatient;
    const id = `${this.runId}-${n}`;
    const state = this.states.get(patient.cpr) ?? {};
    this.states.set(patient.cpr, state);
    const results = (what: string, body: object): Submission => ({
      patient,
      what,
      path: '/api/v1/results',
      contentType: FHIR_JSON,
      body,
    });

    if (state.dischargeIn !== undefined && state.dischargeIn-- <= 0) {
      const body = encounterNotification({
        cpr: patient.cpr,
        id,
        event: 'discharge',
        time: danishTime(now),
        hospital: state.hospital,
        department: state.department,
      });
      this.states.set(patient.cpr, {});
      return {
        patient,
        what: `discharge from ${body.hospital}, ${body.department}`,
        path: '/api/v1/encounters',
        contentType: 'application/json',
        body,
      };
    }
    const r = this.random();
    if (r < 0.08 && state.dischargeIn === undefined) {
      const place = this.pick(DEPARTMENTS);
      Object.assign(state, { dischargeIn: 3 + Math.floor(this.random() * 5), ...place });
      const body = encounterNotification({
        cpr: patient.cpr,
        id,
        event: 'admission',
        time: danishTime(now),
        ...place,
        hyphenated: this.random() < 0.5,
      });
      return {
        patient,
        what: `admission to ${place.hospital}, ${place.department}`,
        path: '/api/v1/encounters',
        contentType: 'application/json',
        body,
      };
    }
    if (r < 0.11) {
      const body = criticalPotassium({
        cpr: patient.cpr,
        id,
        time: this.ago(now, 100 + this.random() * 60),
        value: Number((6.1 + this.random() * 1.4).toFixed(1)),
      });
      return results(`P-Kalium ${body.valueQuantity?.value} mmol/L HH (critical)`, body);
    }
    if (r < 0.68) {
      const sex = sexOf(patient.cpr);
      const values = randomPanelValues(this.random, sex, { criticalPotassium: this.random() < 0.06 });
      const input = { cpr: patient.cpr, id, time: this.ago(now, 100 + this.random() * 120), values, sex };
      const body = this.random() < 0.7 ? bloodPanelBundle(input) : bloodPanelReport(input);
      const flagged = PANEL.map((key) => ({ key, flag: flagFor(key, values[key], sex) })).filter((f) => f.flag !== 'N');
      const critical = flagged.filter((f) => isCriticalFlag(f.flag));
      const summary = critical.length
        ? `, CRITICAL ${critical.map((f) => `${ANALYSES[f.key].display} ${values[f.key]} ${f.flag}`).join(', ')}`
        : flagged.length
          ? `, ${flagged.length} flagged`
          : '';
      return results(`blood panel, ${PANEL.length} results${summary}`, body);
    }
    if (r < 0.9) {
      const modality = this.pick<Modality>(['xray', 'xray', 'ct', 'ultrasound']);
      const body = imagingReport({
        cpr: patient.cpr,
        id,
        time: this.ago(now, 250 + this.random() * 200),
        modality,
        variant: Math.floor(this.random() * 3),
      });
      return results(MODALITY_NAMES[modality], body);
    }
    const body = pathologyReport({ cpr: patient.cpr, id, time: this.ago(now, 4 * 24 * 60 + 10 + this.random() * 600) });
    return results('pathology report (colon polyp)', body);
  }
}

export interface LabFeedOptions {
  url: string;
  key: string;
  /** Submissions per second. */
  rate: number;
  /** Stop after this many submissions (default: until stopped). */
  count?: number;
  signal?: AbortSignal;
  random?: () => number;
  fetch?: typeof fetch;
  out?: (line: string) => void;
  now?: () => Date;
  /** Per request. */
  timeoutMs?: number;
}

export interface LabFeedSummary {
  sent: number;
  /** Answered 2xx. */
  filed: number;
  /** Answered 4xx/5xx. */
  refused: number;
  stoppedBy: 'count' | 'signal' | 'connection' | 'auth';
}

/** Never print a CPR number, not even inside a server's error message. */
const scrub = (text: string): string => text.replace(/\b\d{6}-?\d{4}\b/g, '[CPR]');

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** What the server said, short: the OperationOutcome's diagnostics or the REST error's message. */
async function answerOf(res: Response): Promise<string> {
  if (res.ok) return res.status === 201 ? 'filed' : res.status === 200 ? 'already filed (replay)' : '';
  try {
    const body = (await res.json()) as { issue?: { diagnostics?: string }[]; error?: { message?: string } };
    return scrub(body.issue?.[0]?.diagnostics ?? body.error?.message ?? '').slice(0, 160);
  } catch {
    return '';
  }
}

function errorCode(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: { code?: string } }).cause;
    if (cause?.code) return cause.code;
    if (err.name === 'TimeoutError') return 'timed out';
    return err.message;
  }
  return String(err);
}

export async function runLabFeed(o: LabFeedOptions): Promise<LabFeedSummary> {
  const out = o.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const doFetch = o.fetch ?? fetch;
  const now = o.now ?? (() => new Date());
  const planner = new FeedPlanner(o.random ?? Math.random);
  const base = o.url.replace(/\/+$/, '');
  const interval = 1000 / o.rate;
  const summary: LabFeedSummary = { sent: 0, filed: 0, refused: 0, stoppedBy: 'signal' };
  let failures = 0;
  let due = Date.now();

  while (!o.signal?.aborted) {
    const at = now();
    const sub = planner.next(at);
    const clock = at.toLocaleTimeString('en-GB', { timeZone: 'Europe/Copenhagen', hour12: false });
    const line = (answer: string) => out(`${clock}  ${sub.patient.name.padEnd(14)} ${sub.what.padEnd(58)} ${answer}`);
    summary.sent++;
    try {
      const res = await doFetch(`${base}${sub.path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${o.key}`,
          'content-type': sub.contentType,
          accept: `${FHIR_JSON}, application/json`,
        },
        body: JSON.stringify(sub.body),
        signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
      });
      failures = 0;
      const answer = await answerOf(res);
      line(`${res.status}${answer ? ` ${answer}` : ''}`);
      if (res.ok) summary.filed++;
      else summary.refused++;
      if (res.status === 401 || res.status === 403) {
        out(
          `lab-feed: stopped: the server refused the API key (${res.status}). Create one with \`npx carehub api-key create --system NAME\` and pass it with --key or CAREHUB_API_KEY.`,
        );
        summary.stoppedBy = 'auth';
        return summary;
      }
    } catch (err) {
      failures++;
      line(`connection failed (${errorCode(err)})`);
      if (failures >= MAX_CONNECTION_FAILURES) {
        out(`lab-feed: stopped after ${failures} connection failures in a row. Is CareHub running at ${base}?`);
        summary.stoppedBy = 'connection';
        return summary;
      }
    }
    if (o.count !== undefined && summary.sent >= o.count) {
      summary.stoppedBy = 'count';
      return summary;
    }
    due += interval;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait, o.signal);
    else due = Date.now(); // behind (a slow server): carry on at the rate, never burst to catch up
  }
  return summary;
}

const USAGE = 'usage: carehub lab-feed [--url http://localhost:8080] [--key KEY] [--rate N] [--count N]';

/** The CLI command. */
export async function labFeed(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: 'string', default: 'http://localhost:8080' },
      key: { type: 'string' },
      rate: { type: 'string', default: '1' },
      count: { type: 'string' },
    },
  });
  const key = values.key ?? process.env.CAREHUB_API_KEY;
  if (!key)
    throw new Error(
      `lab-feed needs a system's API key: --key KEY or CAREHUB_API_KEY (create one with \`carehub api-key create --system NAME\`)\n${USAGE}`,
    );
  const rate = Number(values.rate);
  if (!Number.isFinite(rate) || rate <= 0 || rate > 100)
    throw new Error(`--rate is submissions per second, more than 0 and at most 100\n${USAGE}`);
  const count = values.count === undefined ? undefined : Number(values.count);
  if (count !== undefined && (!Number.isInteger(count) || count < 1))
    throw new Error(`--count is a whole number of submissions, at least 1\n${USAGE}`);
  let url: URL;
  try {
    url = new URL(values.url);
  } catch {
    throw new Error(`--url is not a URL\n${USAGE}`);
  }

  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) process.exit(130); // a second Ctrl-C: do not wait for the request in flight
    stop.abort();
  };
  process.on('SIGINT', onSigint);
  process.stdout.write(
    `lab-feed: filing to ${url.origin} at ${rate}/s${count ? `, ${count} submissions` : ''}; Ctrl-C stops\n`,
  );
  try {
    const summary = await runLabFeed({ url: url.toString(), key, rate, count, signal: stop.signal });
    process.stdout.write(`lab-feed: ${summary.sent} sent, ${summary.filed} filed, ${summary.refused} refused\n`);
    if (summary.stoppedBy === 'connection' || summary.stoppedBy === 'auth') process.exitCode = 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
