// sockscope.origins.onDebug: puts the socket-origins recorder into the debuggee's environment when a
// debug session launches (resolveDebugConfigurationWithSubstitutedVariables, so that ${workspaceFolder}
// and friends are already resolved). Which field each adapter uses, and how the user's values are kept,
// is core/origins/debugEnv.ts; what to add for a runtime is the injector's business. The recorder is
// the one shipped in the extension (dist/lib), never a path from settings, so untrusted workspace
// settings cannot choose what gets preloaded.
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { RecorderInjector } from '../core/origins/debugEnv';
import { INJECTABLE_DEBUG_TYPES, injectRecorder } from '../core/origins/debugEnv';
import { withRecorder } from '../core/origins/launchEnv';
import { setting } from './config';
import type { ComponentLog } from './log';

/** Native programs (C, C++, anything linked against libc): LD_PRELOAD with the extension's recorder library, when it was built. */
export function nativeInjector(extensionUri: vscode.Uri): RecorderInjector {
  const library = vscode.Uri.joinPath(extensionUri, 'dist', 'lib', 'libsockscope-origins.so').fsPath;
  return (runtime, env) => (runtime === 'native' && process.platform === 'linux' && fs.existsSync(library) ? withRecorder(env, library) : undefined);
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
