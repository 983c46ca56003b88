import type { Logger } from './contracts/context.js';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

/**
 * A plain logger to stderr, one line per message, prefixed with a scope (daemon or plugin).
 * GANETI_LOG_LEVEL picks the lowest level shown (default `warn` for commands).
 */
export function createLogger(scope: string, level: Level = (process.env['GANETI_LOG_LEVEL'] as Level) || 'warn'): Logger {
  const min = Math.max(0, LEVELS.indexOf(level));
  const emit = (l: Level) => (message: string) => {
    if (LEVELS.indexOf(l) >= min) process.stderr.write(`${new Date().toISOString()} ${l.toUpperCase()} [${scope}] ${message}\n`);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** A logger that keeps messages in memory (tests, and plugins loaded for listing only). */
export function memoryLogger(lines: string[] = []): Logger & { lines: string[] } {
  const push = (l: Level) => (m: string) => void lines.push(`${l}: ${m}`);
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}
