/**
 * The messages between the extension host and the analysis worker thread (structured-cloned, so plain
 * data only). Requests with an `id` get exactly one reply with that id; `edit`, `close` and `cancel`
 * get none. The worker handles everything but `cancel` in arrival order, one at a time.
 */
import type { FixAllResult } from '../analysis/fixAll';
import type { AnalysisOptions, AnalysisResult, LanguageId } from '../analysis/types';
import type { ParseKind, TextChange } from './documentTrees';

/** Analyse a text. With `document`, the worker keeps its tree for the next analysis of that document. */
export interface AnalyzeRequest {
  readonly kind: 'analyze';
  readonly id: number;
  readonly document?: string;
  readonly version?: number;
  readonly language: LanguageId;
  readonly text: string;
  readonly options: AnalysisOptions;
  /** The document's file path, when it is a file of the workspace: C/C++ use the workspace index's summaries. */
  readonly path?: string;
}

/**
 * Index these C/C++ files of the workspace (read from disk by the worker) for cross-file summaries;
 * the reply comes when all of them are indexed. The worker indexes one file at a time and handles
 * any analysis waiting in between, so diagnostics stay responsive while a workspace is indexed.
 */
export interface IndexFilesRequest {
  readonly kind: 'indexFiles';
  readonly id: number;
  readonly paths: readonly string[];
  /** The ownership-transfer setting (the index is rebuilt when it changes). */
  readonly ownershipTransfers: readonly string[];
}

/** A file was deleted: drop it from the index. */
export interface UnindexMessage {
  readonly kind: 'unindex';
  readonly path: string;
}

/** fixAllPaths on a text; `initial` is the analysis of this very text, when the caller has it. */
export interface FixAllRequest {
  readonly kind: 'fixAll';
  readonly id: number;
  readonly language: LanguageId;
  readonly text: string;
  readonly options: AnalysisOptions;
  readonly initial?: AnalysisResult;
  readonly path?: string;
}

/** A document changed: apply VS Code's change event to its tree (the next analysis re-parses incrementally). */
export interface EditMessage {
  readonly kind: 'edit';
  readonly document: string;
  readonly changes: readonly TextChange[];
}

/** A document was closed: free its tree. */
export interface CloseMessage {
  readonly kind: 'close';
  readonly document: string;
}

/** The caller no longer wants the reply to request `id`: the worker skips it if it has not started it. */
export interface CancelMessage {
  readonly kind: 'cancel';
  readonly id: number;
}

export type ToWorker = AnalyzeRequest | FixAllRequest | IndexFilesRequest | EditMessage | CloseMessage | CancelMessage | UnindexMessage;

/** How many files the index holds after an indexFiles request. */
export interface IndexReply {
  readonly indexed: number;
  readonly files: number;
}

/** Where the worker's time went (milliseconds, measured in the worker). */
export interface Timing {
  readonly parse: ParseKind | 'none';
  readonly parseMs: number;
  readonly analysisMs: number;
}

export interface AnalyzeReply {
  readonly result: AnalysisResult;
  /** The document version analysed (the request's). */
  readonly version?: number;
  readonly timing: Timing;
}

/** The reply type of each request kind. */
export interface Replies {
  analyze: AnalyzeReply;
  fixAll: FixAllResult;
  indexFiles: IndexReply;
}

export type FromWorker =
  | { readonly id: number; readonly ok: true; readonly value: AnalyzeReply | FixAllResult | IndexReply }
  | { readonly id: number; readonly ok: false; readonly cancelled: boolean; readonly error: string };
