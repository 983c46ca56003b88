import type { Command } from 'commander';
import { luxiAction } from './luxi.js';

export interface ListFieldsOptions {
  headers: boolean;
  separator?: string;
}

/** Adds Ganeti's `list-fields [field...]` command, shared by every resource that lists. */
export function addListFieldsCommand(program: Command, resource: string, run: (fields: string[], opts: ListFieldsOptions) => Promise<void>, name = 'list-fields', list = 'list'): Command {
  return program
    .command(name)
    .description(`describe the fields "${list}" can show for ${resource}: name, type, column title and meaning`)
    .argument('[field...]', 'fields to describe (default: all of them)')
    .option('--no-headers', 'leave out the title line')
    .option('--separator <sep>', 'put <sep> between values instead of aligning them in columns')
    .action(luxiAction(run));
}
