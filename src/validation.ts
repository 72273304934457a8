// The record models validate with zod's tree-shakable `zod/mini` build, so an OpenFn.org job body
// carries only the checks it uses (classic zod, inlined whole, made each body about 800 KiB and
// its compile on OpenFn.org too heavy for the run's memory). Same parser and issues as classic
// zod; importing this module gives them the English messages classic zod configures itself.
// Messages name the field and the expected type, never the value received.
import { config } from 'zod/mini';
import { en } from 'zod/locales';

config(en());
