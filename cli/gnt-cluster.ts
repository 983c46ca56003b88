#!/usr/bin/env node
import { createProgram, main } from './common/program.js';

// Commands are declared here and load their code on use, so `--version` and `--help` stay fast.
const program = createProgram('gnt-cluster', 'Ganeti cluster administration');

main(program);
