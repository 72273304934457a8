import type { Command } from 'commander';

/** Each command module exports `register(program)`; add a command by adding its module here. */
export const commands: Array<(program: Command) => void> = [];
