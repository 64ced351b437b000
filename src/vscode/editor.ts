import * as fs from 'fs';
import * as vscode from 'vscode';
import type { AnalysisResult, Finding, Fix, LanguageId, Range as CoreRange } from '../core/analysis';
import { languageForFile, MAX_ANALYSED_BYTES, SOURCE_EXTENSIONS } from '../core/analysis/sources';
import { AnalysisWorker } from '../core/worker/client';
import { registerCommand } from './commands';
import { setting } from './config';
import type { ComponentLog, Log } from './log';
import { plural } from '../core/model/plural';
import type { LiveLeakSites } from './originDiagnostics';
import { confirmedDiagnostic, unprovenDiagnostics } from './originDiagnostics';
import { confirmFindings, type ConfirmResult } from '../core/origins/confirm';

const LANGUAGE_IDS: Record<string, LanguageId> = { c: 'c', cpp: 'cpp', python: 'python', go: 'go', java: 'java' };
const SELECTOR: vscode.DocumentSelector = Object.keys(LANGUAGE_IDS).map((language) => ({ language }));
const SCAN_GLOB = `**/*.{${Object.keys(SOURCE_EXTENSIONS).map((e) => e.slice(1)).join(',')}}`;
const SCAN_EXCLUDE = '{**/node_modules/**,**/.git/**,**/dist/**,**/out/**,**/build/**,**/vendor/**,**/.venv/**}';
const C_GLOB = '**/*.{c,h,cc,cpp,cxx,hpp,hh,hxx}';
/** Workspace C/C++ files sent to the worker's index per request (each request is a few hundred ms at most). */
const INDEX_BATCH = 8;

export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('sockscope');

function toRange(r: CoreRange): vscode.Range {
  return new vscode.Range(r.start.line, r.start.column, r.end.line, r.end.column);
}

function languageOf(doc: vscode.TextDocument): LanguageId | undefined {
  return LANGUAGE_IDS[doc.languageId] ?? (doc.uri.scheme === 'file' ? languageForFile(doc.fileName) : undefined);
}

/**
 * The editor half: leak diagnostics on C/C++/Python/Go/Java files (debounced as you type), the
 * "close before this exit" / "close on all paths" quick fixes, source.fixAll.sockscope and the
 * workspace scan. Analyses run in the analysis worker thread (dist/analysisWorker.js), which keeps each
 * open document's syntax tree and re-parses it incrementally from the change events sent here.
 */
export class EditorFeature implements vscode.Disposable, vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix, FIX_ALL_KIND];
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('sockscope');
  private readonly findings = new Map<string, { version: number; result: AnalysisResult }>();
  private readonly byDiagnostic = new WeakMap<vscode.Diagnostic, Finding>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly status = vscode.languages.createLanguageStatusItem('sockscope.analysis', SELECTOR);
  private readonly disposables: vscode.Disposable[] = [];
  private readonly log: ComponentLog;
  private readonly ruleHelp: vscode.Uri;
  /** Started by the first analysis, not at activation. */
  private readonly worker: AnalysisWorker;
  /** Workspace C/C++ files waiting to be (re-)indexed, and whether the indexing loop runs. */
  private readonly toIndex = new Set<string>();
  private indexing: 'idle' | 'running' | 'off' = 'off';

  /** The findings last published per file (open documents and scanned files), for the runtime confirmation. */
  private readonly published = new Map<string, { uri: vscode.Uri; findings: readonly Finding[] }>();
  private live: LiveLeakSites | undefined;
  /** The runtime join runs one at a time; a change during a run asks for one more run. */
  private liveRun: Promise<void> | undefined;
  private liveAgain = false;
  /** Files of leaking sites that could not be analysed from disk, and when (retried after a minute, not on every change). */
  private readonly liveFailed = new Map<string, number>();
  /** The whole workspace must be listed and indexed again (the worker restarted or the index's settings changed). */
  private relistPending: { reason: string; afterRestart: boolean } | undefined;
  private relists = 0;

  constructor(log: Log, extensionUri: vscode.Uri) {
    this.log = log.for('analysis');
    this.ruleHelp = vscode.Uri.joinPath(extensionUri, 'README.md');
    this.worker = new AnalysisWorker(vscode.Uri.joinPath(extensionUri, 'dist', 'analysisWorker.js').fsPath, this.log);
    this.status.name = 'SockScope';
    this.status.text = 'SockScope';
    this.disposables.push(this.diagnostics, this.status, this.worker,
      vscode.languages.registerCodeActionsProvider(SELECTOR, this, { providedCodeActionKinds: EditorFeature.providedCodeActionKinds }),
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (!e.contentChanges.length || !languageOf(e.document)) return;
        this.worker.edit(e.document.uri.toString(), e.contentChanges);
        this.schedule(e.document, setting('analysis.debounceMs', 400));
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      vscode.window.onDidChangeActiveTextEditor((e) => this.updateStatus(e?.document)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('sockscope.analysis')) return;
        // The index holds summaries made with the old ownership transfers (the worker starts a new index
        // with the next batch): every file is indexed again, and the open files analysed after that.
        if (this.indexing !== 'off' && (e.affectsConfiguration('sockscope.analysis.ownershipTransfers') || e.affectsConfiguration('sockscope.analysis.workspaceSummaries'))) this.relist('the analysis settings changed', false);
        for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
      }),
      // A new worker starts with an empty index: without it, C/C++ files would lose the project's summaries.
      this.worker.onDidStop(() => { if (this.indexing !== 'off') this.relist('the analysis worker restarted', true); }),
      registerCommand(log, 'sockscope.scanWorkspace', () => this.scanWorkspace()),
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private schedule(doc: vscode.TextDocument, delay: number): void {
    if (!languageOf(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      void this.analyzeDocument(doc);
    }, delay));
  }

  /** Analyses an open document and publishes its diagnostics; returns the findings (tests await this). */
  async analyzeDocument(doc: vscode.TextDocument): Promise<readonly Finding[]> {
    const language = languageOf(doc);
    if (!language || doc.isClosed) return [];
    if (!setting('analysis.enabled', true)) {
      this.diagnostics.delete(doc.uri);
      return [];
    }
    const version = doc.version;
    const key = doc.uri.toString();
    try {
      // A newer analysis of this document may supersede this one: the reply is then the newer version's.
      if ((language === 'c' || language === 'cpp') && this.indexing === 'off') this.startIndexing();
      const path = doc.uri.scheme === 'file' && setting('analysis.workspaceSummaries', true) ? doc.uri.fsPath : undefined;
      const reply = await this.worker.analyze({ document: key, version, language, text: doc.getText(), options: this.analysisOptions(), path });
      const { result, timing } = reply;
      if (this.log.tracing) this.log.trace(`${vscode.workspace.asRelativePath(doc.uri)} v${reply.version}: ${timing.parse} parse ${timing.parseMs.toFixed(1)} ms, analysis ${timing.analysisMs.toFixed(1)} ms`);
      if (doc.isClosed || doc.version !== reply.version) return result.findings;
      this.publish(doc.uri, result.findings);
      this.findings.set(key, { version: reply.version, result });
      for (const note of result.notes) this.log.info(`${vscode.workspace.asRelativePath(doc.uri)}: ${note}`);
      this.statusFor.set(key, result.notes[0] ?? (result.hadParseErrors ? 'parts of this file did not parse; leaks there may be missed' : undefined));
      this.updateStatus(vscode.window.activeTextEditor?.document);
      return result.findings;
    } catch (e) {
      this.log.error(`analysis of ${doc.uri.fsPath} failed`, e);
      this.statusFor.set(key, `analysis failed: ${e instanceof Error ? e.message : String(e)}`);
      this.updateStatus(vscode.window.activeTextEditor?.document);
      return [];
    }
  }

  private readonly statusFor = new Map<string, string | undefined>();

  private updateStatus(doc: vscode.TextDocument | undefined): void {
    if (!doc || !languageOf(doc)) return;
    const key = doc.uri.toString();
    const count = this.findings.get(key)?.result.findings.length ?? 0;
    const note = this.statusFor.get(key);
    this.status.text = count ? `$(warning) ${plural(count, 'socket leak')}` : '$(check) no socket leaks';
    this.status.detail = note ?? 'SockScope checks that every socket and descriptor is closed on every path';
    this.status.severity = note ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
    this.status.command = { command: 'sockscope.scanWorkspace', title: 'Scan Workspace' };
  }

  /** Joins the findings with the leaking sockets of the attached processes (see originDiagnostics.ts). */
  setLiveLeaks(live: LiveLeakSites): void {
    this.live = live;
    this.disposables.push(live.onDidChange(() => this.onLiveLeaks()));
  }

  /** Runs the runtime join now, or once more after the run in progress (never two at a time). */
  onLiveLeaks(): Promise<void> {
    if (this.liveRun) {
      this.liveAgain = true;
      return this.liveRun;
    }
    this.liveRun = (async () => {
      try {
        do {
          this.liveAgain = false;
          await this.joinLiveLeaks();
        } while (this.liveAgain);
      } finally {
        this.liveRun = undefined;
      }
    })();
    return this.liveRun;
  }

  private async joinLiveLeaks(): Promise<void> {
    // A leaking site in a file not analysed yet: analyse it from disk, so that it is confirmed or noted.
    const files = new Set([...this.published.values()].filter((p) => p.uri.scheme === 'file').map((p) => p.uri.fsPath));
    for (const site of this.live?.sites ?? []) {
      const file = site.origin.frames[0]?.file;
      if (!file || !languageForFile(file) || files.has(file) || Date.now() - (this.liveFailed.get(file) ?? -Infinity) < 60_000) continue;
      files.add(file);
      const uri = vscode.Uri.file(file);
      try {
        const stat = await vscode.workspace.fs.stat(uri);
        if (!(stat.type & vscode.FileType.File) || stat.size > MAX_ANALYSED_BYTES) throw new Error(stat.type & vscode.FileType.File ? 'too large' : 'not a regular file');
        const text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
        const { result } = await this.worker.analyze({ language: languageForFile(file) as LanguageId, text, options: this.analysisOptions() });
        if (!vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) this.published.set(uri.toString(), { uri, findings: result.findings });
        this.liveFailed.delete(file);
      } catch (e) {
        this.liveFailed.set(file, Date.now());
        this.log.info(`runtime confirmation: cannot analyse ${file}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    // One join for every file (not one per file: a scanned workspace has thousands).
    const joined = this.join();
    for (const { uri, findings } of [...this.published.values()]) this.render(uri, findings, joined);
  }

  /** The published findings joined with the live leaking sites (undefined when nothing leaks). */
  private join(): ConfirmResult | undefined {
    const sites = this.live?.sites ?? [];
    if (!sites.length) return undefined;
    return confirmFindings(new Map([...this.published.values()].filter((p) => p.uri.scheme === 'file').map((p) => [p.uri.fsPath, p.findings])), sites);
  }

  private publish(uri: vscode.Uri, findings: readonly Finding[]): void {
    this.published.set(uri.toString(), { uri, findings });
    this.render(uri, findings, uri.scheme === 'file' ? this.join() : undefined);
  }

  private render(uri: vscode.Uri, findings: readonly Finding[], joined: ConfirmResult | undefined): void {
    const confirmed = uri.scheme === 'file' ? joined?.confirmed.get(uri.fsPath) : undefined;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    this.diagnostics.set(uri, [...findings.map((f, i) => confirmedDiagnostic(this.findingDiagnostic(uri, f), confirmed?.get(i))),
      ...(joined && uri.scheme === 'file' ? unprovenDiagnostics(joined, uri.fsPath, doc, (t) => changedSince(uri.fsPath, doc, t)) : [])]);
  }

  private findingDiagnostic(uri: vscode.Uri, f: Finding): vscode.Diagnostic {
    const d = new vscode.Diagnostic(toRange(f.range), f.message, f.severity === 'information' ? vscode.DiagnosticSeverity.Information : vscode.DiagnosticSeverity.Warning);
    d.source = 'sockscope';
    d.code = { value: f.ruleId, target: this.ruleHelp.with({ fragment: f.ruleId === 'sockscope.overwrite' ? 'sockscopeoverwrite' : 'sockscopeleak' }) };
    // The acquisition site first; the analyzer's related places may name it already (with more words).
    const related = f.related ?? [];
    const sameStart = (r: CoreRange) => r.start.line === f.acquired.start.line && r.start.column === f.acquired.start.column;
    d.relatedInformation = [
      ...(related.some((r) => sameStart(r.range)) ? [] : [new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, toRange(f.acquired)), `\`${f.variable}\` acquired here`)]),
      ...related.map((r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, toRange(r.range)), r.message)),
    ];
    this.byDiagnostic.set(d, f);
    return d;
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.findings.delete(key);
    this.statusFor.delete(key);
    this.worker.close(key);
  }

  /** Quick fixes come from the latest analysis as it is; only fix-all asks the worker (cancelled with the request). */
  async provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext, token?: vscode.CancellationToken): Promise<vscode.CodeAction[]> {
    const language = languageOf(doc);
    const entry = this.findings.get(doc.uri.toString());
    if (!language || !entry || entry.version !== doc.version) return [];
    const actions: vscode.CodeAction[] = [];
    if (!context.only || context.only.contains(vscode.CodeActionKind.QuickFix)) {
      for (const diagnostic of context.diagnostics) {
        const finding = this.byDiagnostic.get(diagnostic);
        if (!finding) continue;
        for (const fix of finding.fixes) actions.push(this.action(doc, fix, vscode.CodeActionKind.QuickFix, [diagnostic]));
      }
    }
    if (context.only && (context.only.contains(FIX_ALL_KIND) || FIX_ALL_KIND.contains(context.only)) && entry.result.findings.length) {
      // Fix-all re-analyses after each round of edits, so fixes whose edits would clash still all land.
      const version = doc.version;
      const abort = new AbortController();
      const cancel = token?.onCancellationRequested(() => abort.abort());
      let fixed;
      try {
        fixed = await this.worker.fixAll(language, doc.getText(), this.analysisOptions(), entry.result, abort.signal, doc.uri.scheme === 'file' ? doc.uri.fsPath : undefined);
      } catch (e) {
        this.log.error(`fix-all of ${doc.uri.fsPath} failed`, e);
      } finally {
        cancel?.dispose();
      }
      if (fixed && doc.version === version && fixed.editsApplied > 0) {
        const action = new vscode.CodeAction('Close every leaked socket on all paths', FIX_ALL_KIND);
        action.edit = new vscode.WorkspaceEdit();
        action.edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), fixed.text);
        actions.push(action);
      }
    }
    return actions;
  }

  /**
   * Indexes the workspace's C/C++ files in the worker (a few per request, analyses of open documents
   * go first), then keeps the index current as files are saved, created or deleted. Open C/C++
   * documents are analysed again once the first full index is there.
   */
  private startIndexing(): void {
    if (!setting('analysis.workspaceSummaries', true) || !vscode.workspace.workspaceFolders?.length) return;
    this.indexing = 'idle';
    const watcher = vscode.workspace.createFileSystemWatcher(C_GLOB);
    const queue = (uri: vscode.Uri) => {
      if (uri.scheme !== 'file') return;
      this.toIndex.add(uri.fsPath);
      void this.drainIndex(false);
    };
    this.disposables.push(watcher, watcher.onDidChange(queue), watcher.onDidCreate(queue),
      watcher.onDidDelete((uri) => {
        this.toIndex.delete(uri.fsPath);
        this.worker.unindex(uri.fsPath);
      }));
    this.listForIndex();
  }

  private listForIndex(): void {
    void vscode.workspace.findFiles(C_GLOB, SCAN_EXCLUDE, 20000).then((uris) => {
      for (const uri of uris) if (uri.scheme === 'file') this.toIndex.add(uri.fsPath);
      void this.drainIndex(true);
    }, (e) => this.log.error('workspace index: listing the C/C++ files failed', e));
  }

  /** Indexes every workspace file again (after the batch in progress, if any); at most 5 times per session after restarts. */
  private relist(reason: string, afterRestart: boolean): void {
    if (this.indexing === 'running') {
      this.relistPending = { reason, afterRestart: afterRestart || !!this.relistPending?.afterRestart };
      return;
    }
    if (afterRestart && ++this.relists > 5) {
      if (this.relists === 6) this.log.warn('workspace index: the analysis worker keeps restarting; the workspace is no longer indexed again (C/C++ findings may lack cross-file summaries)');
      return;
    }
    this.log.info(`workspace index: indexing the workspace again (${reason})`);
    this.listForIndex();
  }

  private async drainIndex(reanalyse: boolean): Promise<void> {
    if (this.indexing !== 'idle') return;
    this.indexing = 'running';
    const started = Date.now();
    let files = 0;
    try {
      while (this.toIndex.size && setting('analysis.workspaceSummaries', true)) {
        const batch = [...this.toIndex].slice(0, INDEX_BATCH);
        for (const p of batch) this.toIndex.delete(p);
        files = (await this.worker.indexFiles(batch, this.analysisOptions().ownershipTransfers)).files;
      }
      this.log.info(`workspace index: ${plural(files, 'C/C++ file')} indexed for cross-file summaries (${Date.now() - started} ms)`);
    } catch (e) {
      this.log.error('workspace index failed', e);
    } finally {
      this.indexing = 'idle';
    }
    const pending = this.relistPending;
    if (pending) {
      this.relistPending = undefined;
      this.relist(pending.reason, pending.afterRestart);
      return;
    }
    // Open files see the new summaries (their unchanged functions come from the cache).
    if (reanalyse || files > 0) for (const d of vscode.workspace.textDocuments) if (languageOf(d) === 'c' || languageOf(d) === 'cpp') this.schedule(d, 0);
  }

  private analysisOptions() {
    return { ownershipTransfers: setting<string[]>('analysis.ownershipTransfers', []), timeBudgetMs: 5000 };
  }

  private action(doc: vscode.TextDocument, fix: Fix, kind: vscode.CodeActionKind, diagnostics: vscode.Diagnostic[]): vscode.CodeAction {
    const action = new vscode.CodeAction(fix.title, kind);
    action.isPreferred = fix.isPreferred;
    action.diagnostics = diagnostics;
    action.edit = this.edit(doc, fix.edits);
    return action;
  }

  private edit(doc: vscode.TextDocument, edits: Fix['edits']): vscode.WorkspaceEdit {
    const we = new vscode.WorkspaceEdit();
    for (const e of edits) we.replace(doc.uri, toRange(e.range), e.newText);
    return we;
  }

  /** Scans every source file of the workspace with progress; open files keep their live results. */
  async scanWorkspace(): Promise<{ files: number; findings: number }> {
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'SockScope: scanning for socket leaks', cancellable: true }, async (progress, token) => {
      const uris = await vscode.workspace.findFiles(SCAN_GLOB, SCAN_EXCLUDE, 20000, token);
      let findings = 0;
      let withFindings = 0;
      const skipped: string[] = [];
      for (const [i, uri] of uris.entries()) {
        if (token.isCancellationRequested) break;
        progress.report({ message: `${i + 1}/${uris.length} ${vscode.workspace.asRelativePath(uri)}`, increment: 100 / uris.length });
        const language = languageForFile(uri.fsPath);
        if (!language) continue;
        const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
        try {
          let found: readonly Finding[];
          const known = open && this.findings.get(open.uri.toString());
          if (open && known && known.version === open.version) found = known.result.findings; // analysed as it is now
          else if (open) found = await this.analyzeDocument(open);
          else {
            const stat = await vscode.workspace.fs.stat(uri);
            // A FIFO or a device (or a link to one) would block or never end the read.
            if (!(stat.type & vscode.FileType.File)) { skipped.push(`${vscode.workspace.asRelativePath(uri)} (not a regular file)`); continue; }
            if (stat.size > MAX_ANALYSED_BYTES) { skipped.push(`${vscode.workspace.asRelativePath(uri)} (too large)`); continue; }
            const text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
            const { result } = await this.worker.analyze({ language, text, options: this.analysisOptions() });
            if (result.notes.length) skipped.push(`${vscode.workspace.asRelativePath(uri)} (${result.notes[0]})`);
            found = result.findings;
            this.publish(uri, found);
          }
          findings += found.length;
          if (found.length) withFindings++;
        } catch (e) {
          this.log.error(`scan: ${uri.fsPath}`, e);
          skipped.push(`${vscode.workspace.asRelativePath(uri)} (could not be read)`);
        }
      }
      for (const s of skipped) this.log.info(`scan skipped or partial: ${s}`);
      const summary = `SockScope scanned ${plural(uris.length, 'file')}: ${plural(findings, 'socket leak')} in ${plural(withFindings, 'file')}` +
        (skipped.length ? ` (${skipped.length} skipped or partial: see the SockScope log)` : '') + '.';
      if (findings) {
        void vscode.window.showWarningMessage(summary, 'Show Problems').then((c) => { if (c) void vscode.commands.executeCommand('workbench.actions.view.problems'); });
      } else void vscode.window.showInformationMessage(summary);
      return { files: uris.length, findings };
    });
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Whether a file's text in the editor differs from what was on disk at time t: unsaved edits, or saved after t. */
function changedSince(file: string, doc: vscode.TextDocument | undefined, t: number): boolean {
  if (doc?.isDirty) return true;
  try { return fs.statSync(file).mtimeMs > t; } catch { return false; }
}
