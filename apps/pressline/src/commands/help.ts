/**
 * The commands and their help, kept apart from their code: `pressline <command>` loads only the
 * module of that command (the analysis CLI does not load NestJS).
 */
export interface CommandEntry {
  readonly summary: string;
  load(): Promise<{ help: string; run(argv: string[]): Promise<number> }>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  run: {
    summary: 'run the whole line on one release in this process (embedded)',
    load: async () => {
      const m = await import('./run');
      return { help: m.RUN_HELP, run: m.runCommand };
    },
  },
  analyze: {
    summary: 'measure files: format, loudness (BS.1770-5 / R128), true peak, QC',
    load: async () => {
      const m = await import('./analyze');
      return { help: m.ANALYZE_HELP, run: m.analyzeCommand };
    },
  },
  master: {
    summary: 'master files to a delivery profile (loudness, true peak, rate, depth), verified',
    load: async () => {
      const m = await import('./master');
      return { help: m.MASTER_HELP, run: m.masterCommand };
    },
  },
  serve: {
    summary: 'start the gateway and every stage in one process',
    load: async () => {
      const m = await import('./serve');
      return { help: m.SERVE_HELP, run: m.serveCommand };
    },
  },
  example: {
    summary: 'write an example release synthesised by the project',
    load: async () => {
      const m = await import('./example');
      return { help: m.EXAMPLE_HELP, run: m.exampleCommand };
    },
  },
};
