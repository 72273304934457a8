// Code that goes into OpenFn.org job bodies (the record models, the mapping tables) validates with
// zod's tree-shakable `zod/mini` build, so a body carries only the checks it uses (classic zod,
// inlined whole, made each body about 820 KiB and its compile on OpenFn.org too heavy for the
// run's memory). Same parser and issues as classic zod; importing this module gives them the
// English messages classic zod configures itself. They name the field and the expected type,
// never the value received.
import { config } from 'zod/mini';
import { en } from 'zod/locales';

config(en());
