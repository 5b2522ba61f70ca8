/**
 * What a game day leaves behind: `<out dir>/gameday.json`, written as the day goes (after every
 * experiment, note and command) so a crash of faultline still leaves the record of the day so far.
 * The combined report (gameday.md, gameday.html) is rendered from it and the runs' journals.
 */

export const GAMEDAY_RECORD_VERSION = 1;

/** What became of one planned experiment. */
export type GamedayItemState =
  /** Not reached: the day was aborted before it, or it is still to come. */
  | 'pending'
  | 'running'
  /** Ran to its end (whatever its verdict: the journal says held / deviated / aborted / revert-failed). */
  | 'ran'
  /** The facilitator skipped it (before it started, or by aborting it mid-run: then `runId` is set). */
  | 'skipped'
  /** It could not start: invalid files, no approval, outside its time window; `error` says why. */
  | 'failed-to-start';

export interface GamedayItem {
  /** The plan's name for it (default: the experiment's title, else the file's name). */
  name: string;
  /** The experiment file as the plan names it, or `catalog:<name>`. */
  file: string;
  state: GamedayItemState;
  runId?: string;
  /** Absolute path of the run's journal.json. */
  journalPath?: string;
  /** The run's report directory (journal.json, report.md, report.html, junit.xml). */
  reportDir?: string;
  /** The run's exit code (0 held, 1 deviated or regressed, 3 aborted, 4 revert failed). */
  exitCode?: number;
  startedAt?: string;
  endedAt?: string;
  error?: string;
  /** The plan's words for the facilitator, shown before it starts. */
  brief?: string;
}

export interface GamedayNote {
  /** ISO time the note was typed. */
  at: string;
  text: string;
  by?: string;
  /** The name of the experiment running (or next up) when it was typed. */
  during?: string;
}

export interface GamedayEvent {
  at: string;
  /** `start`, `next`, `skip`, `pause`, `resume`, `abort`, `end`, `announce-failed`, … */
  what: string;
  detail?: string;
  /** Where the command came from: `console` (the keyboard) or `ctl` (`faultline gameday ctl`). */
  from?: string;
}

export interface GamedayRecord {
  v: typeof GAMEDAY_RECORD_VERSION;
  title: string;
  /** Absolute path of the plan file. */
  planFile: string;
  facilitator?: string;
  startedAt: string;
  endedAt?: string;
  /** `running` while the day goes on; `completed` when every item ran or was skipped; `aborted` otherwise. */
  outcome: 'running' | 'completed' | 'aborted';
  items: GamedayItem[];
  notes: GamedayNote[];
  events: GamedayEvent[];
  /** The state dir the runs used (their history gives the score trend). */
  stateDir: string;
}
