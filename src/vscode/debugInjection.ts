// sockscope.origins.onDebug: puts the socket-origins recorder into the debuggee's environment when a
// debug session launches (resolveDebugConfigurationWithSubstitutedVariables, so that ${workspaceFolder}
// and friends are already resolved). Which field each adapter uses, and how the user's values are kept,
// is core/origins/debugEnv.ts; what to add for a runtime is the injector's business. The recorder is
// the one shipped in the extension (dist/lib), never a path from settings, so untrusted workspace
// settings cannot choose what gets preloaded.
import * as fs from 'fs';
import * as vscode from 'vscode';
import * as path from 'path';
import type { DebugRuntime, RecorderInjector } from '../core/origins/debugEnv';
import { INJECTABLE_DEBUG_TYPES, injectRecorder } from '../core/origins/debugEnv';
import { defaultRecorderPaths, recorderInjection } from '../core/origins/inject';
import { setting } from './config';
import type { ComponentLog } from './log';

/**
 * The recorders shipped in the extension (dist/lib, as `sockscope run` uses them): LD_PRELOAD for native
 * programs, NODE_OPTIONS --require for Node.js, PYTHONPATH for Python, JAVA_TOOL_OPTIONS -javaagent for
 * Java (core/origins/inject.ts). A runtime whose recorder was not built gets none.
 */
export function recorderInjector(extensionUri: vscode.Uri): RecorderInjector {
  const libDir = vscode.Uri.joinPath(extensionUri, 'dist', 'lib').fsPath;
  const paths = defaultRecorderPaths(libDir);
  const built: Record<DebugRuntime, () => boolean> = {
    native: () => fs.existsSync(paths.nativeLibrary),
    node: () => fs.existsSync(paths.nodePreload),
    python: () => fs.existsSync(path.join(paths.pythonPath, 'sitecustomize.py')),
    java: () => paths.javaAgent !== undefined && fs.existsSync(paths.javaAgent),
  };
  return (runtime, env) => (process.platform === 'linux' && built[runtime]() ? recorderInjection(runtime, { ...env }, paths) : undefined);
}

export class DebugInjection implements vscode.DebugConfigurationProvider, vscode.Disposable {
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly inject: RecorderInjector, private readonly log: ComponentLog) {
    this.disposables = INJECTABLE_DEBUG_TYPES.map((type) => vscode.debug.registerDebugConfigurationProvider(type, this));
  }

  resolveDebugConfigurationWithSubstitutedVariables(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration {
    if (!setting('origins.onDebug', true) || process.platform !== 'linux') return config;
    const result = injectRecorder(config, this.inject, process.env);
    if (!result.injected) {
      this.log.info(`${config.name ?? config.type}: socket origins not recorded: ${result.reason}`);
      return config;
    }
    this.log.info(`${config.name ?? config.type}: socket origins recorded (${result.runtime} recorder through ${result.variables.join(', ')})`);
    return result.config as vscode.DebugConfiguration;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
