/**
 * SARIF 2.1.0 output for `sockscope check --format sarif`, shaped for GitHub code scanning
 * (relative artifact URIs under %SRCROOT%, 1-based lines and UTF-16 columns, rules with help links).
 */
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Finding, Range, RuleId } from './types';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Project home (package.json `repository`); the rule help links point into its README. */
export const SOCKSCOPE_URI = 'https://example.invalid/sockscope';

const RULES: Record<RuleId, { name: string; short: string; full: string }> = {
  'sockscope.leak': {
    name: 'DescriptorLeak',
    short: 'Socket or file descriptor not closed on every path',
    full: 'A descriptor (socket, file, pipe, FILE*, epoll/event/timer fd, ...) is still open when the code leaves the scope that owns it. '
      + 'Leaked sockets pile up in CLOSE_WAIT until the process runs out of descriptors.',
  },
  'sockscope.overwrite': {
    name: 'DescriptorOverwritten',
    short: 'Open descriptor overwritten before it was closed',
    full: 'A variable holding an open descriptor is assigned a new value, so the old descriptor can never be closed.',
  },
};

export interface FileFindings {
  /** The file as the user named it (absolute or relative to `baseDir`). */
  readonly file: string;
  readonly findings: readonly Finding[];
}

export interface SarifOptions {
  /** Folder the artifact URIs are relative to (the repository root for GitHub); default the current directory. */
  readonly baseDir?: string;
  readonly toolVersion?: string;
}

/** `src/a b.c` -> `src/a%20b.c`: a relative URI reference with forward slashes. */
export function relativeUri(file: string, baseDir: string): string {
  const rel = path.relative(baseDir, path.resolve(baseDir, file)).split(path.sep).join('/');
  return rel.split('/').map(encodeURIComponent).join('/');
}

function region(r: Range) {
  // Our ranges are 0-based with an exclusive end; SARIF columns are 1-based with an exclusive end column.
  return { startLine: r.start.line + 1, startColumn: r.start.column + 1, endLine: r.end.line + 1, endColumn: r.end.column + 1 };
}

export function toSarif(files: readonly FileFindings[], options: SarifOptions = {}): object {
  const baseDir = path.resolve(options.baseDir ?? process.cwd());
  const ruleIds = Object.keys(RULES) as RuleId[];
  const results = files.flatMap(({ file, findings }) => {
    const artifactLocation = { uri: relativeUri(file, baseDir), uriBaseId: '%SRCROOT%' };
    return findings.map((f) => ({
      ruleId: f.ruleId,
      ruleIndex: ruleIds.indexOf(f.ruleId),
      level: f.severity === 'information' ? 'note' : 'warning',
      message: { text: `${f.message} (acquired [here](1), in ${f.function})` },
      locations: [{ physicalLocation: { artifactLocation, region: region(f.range) } }],
      relatedLocations: [
        { id: 1, message: { text: `\`${f.variable}\` acquired here` }, physicalLocation: { artifactLocation, region: region(f.acquired) } },
        ...(f.related ?? []).map((r, i) => ({ id: i + 2, message: { text: r.message }, physicalLocation: { artifactLocation, region: region(r.range) } })),
      ],
      properties: { function: f.function, variable: f.variable, language: f.language },
    }));
  });
  return {
    version: '2.1.0',
    $schema: SARIF_SCHEMA,
    runs: [{
      tool: {
        driver: {
          name: 'SockScope',
          informationUri: SOCKSCOPE_URI,
          ...(options.toolVersion ? { semanticVersion: options.toolVersion, version: options.toolVersion } : {}),
          rules: ruleIds.map((id) => ({
            id,
            name: RULES[id].name,
            shortDescription: { text: RULES[id].short },
            fullDescription: { text: RULES[id].full },
            help: { text: RULES[id].full },
            helpUri: `${SOCKSCOPE_URI}#${id.replace('.', '-')}`,
            defaultConfiguration: { level: 'warning' },
            properties: { tags: ['reliability', 'resource-leak'], precision: 'high', 'problem.severity': 'warning' },
          })),
        },
      },
      originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(baseDir + path.sep).href } },
      columnKind: 'utf16CodeUnits',
      results,
    }],
  };
}
