/**
 * Test support: analysing Java the way the Java tests of ../lang/java compare results. Used by tests only; nothing
 * in the extension or the CLI imports it.
 */
import * as fs from 'fs';
import { analyzeSource } from '../index';
import { JavaProject } from '../javaProject';
import { analyzeJava } from '../lang/java/index';
import type { AnalysisResult } from '../types';
import { findingRows } from './projectTree';

/** The findings of a Java file's text analysed alone, as findingRows gives them. */
export async function javaRows(text: string): Promise<string[]> {
  return findingRows(await analyzeJava(text, {}));
}

/** A Java file of a project on disk analysed with its project's other files (`text`: the text analysed, by default the file as saved). */
export function analyzeInProject(file: string, text: string = fs.readFileSync(file, 'utf8')): Promise<AnalysisResult> {
  return analyzeSource(text, 'java', {}, { java: new JavaProject(), file });
}
