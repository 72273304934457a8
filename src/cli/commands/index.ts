import type { Command } from 'commander';
import { register as checkMappings } from './check-mappings.ts';
import { register as buildOpenfn } from './build-openfn.ts';
import { register as serve } from './serve.ts';
import { register as run } from './run.ts';
import { register as schedule } from './schedule.ts';
import { register as status } from './status.ts';
import { register as history } from './history.ts';
import { register as logs } from './logs.ts';
import { register as retry } from './retry.ts';
import { register as trace } from './trace.ts';
import { register as check } from './check.ts';
import { register as resume } from './resume.ts';
import { register as start } from './start.ts';
import { register as emulators } from './emulators.ts';

/** Each command module exports `register(program)`; add a command by adding its module here. */
export const commands: Array<(program: Command) => void> = [
  checkMappings,
  buildOpenfn,
  serve,
  run,
  schedule,
  status,
  history,
  logs,
  retry,
  trace,
  check,
  resume,
  start,
  emulators,
];
