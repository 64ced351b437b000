import type { Node } from 'web-tree-sitter';
import { STANDARD_FDS } from './names';
import { callArgs, calleeName, strip } from './syntax';

/** Calls that tell whether a descriptor number is open. */
const PROBES: ReadonlySet<string> = new Set(['fcntl', 'fstat', 'fstat64']);
const LOOPS: ReadonlySet<string> = new Set(['while_statement', 'do_statement', 'for_statement']);

/**
 * An acquisition inside a loop that runs while a standard descriptor is closed
 * (`while (fcntl(STDIN_FILENO, F_GETFD) == -1 || …) pipe(fd);`): its descriptors are meant to take
 * the lowest free numbers, the standard ones, and stay open for the process. They are none of the
 * function's to close.
 */
export function fillsStandardSlots(acquisition: Node): boolean {
  for (let n = acquisition.parent; n; n = n.parent) {
    if (n.type === 'function_definition' || n.type === 'lambda_expression') return false;
    if (!LOOPS.has(n.type)) continue;
    const cond = n.childForFieldName('condition');
    return !!cond && probesStandard(cond);
  }
  return false;
}

function probesStandard(cond: Node): boolean {
  for (const call of [...(cond.type === 'call_expression' ? [cond] : []), ...cond.descendantsOfType('call_expression')]) {
    if (!call || !PROBES.has(calleeName(call) ?? '')) continue;
    const first = strip(callArgs(call)[0] ?? null);
    if (!first) continue;
    if (first.type === 'identifier' && STANDARD_FDS.has(first.text)) return true;
    if (first.type === 'number_literal' && ['0', '1', '2'].includes(first.text)) return true;
  }
  return false;
}
