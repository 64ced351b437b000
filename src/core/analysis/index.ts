import type { AnalysisOptions, AnalysisResult, LanguageId } from './types';
import { analyzeC } from './lang/c';
import { analyzePython } from './lang/python';
import { analyzeGo } from './lang/go';
import { analyzeJava } from './lang/java';
import { MAX_ANALYSED_BYTES } from './sources';
import type { CWorkspaceIndex } from './lang/c/workspaceIndex';
import type { GoPackages } from './goPackages';
import type { JavaProject } from './javaProject';
import type { PythonProject } from './pythonProject';

/** The workspace a file belongs to: C/C++ files use the summaries of the functions the index holds. */
export interface SourceWorkspace {
  readonly c?: CWorkspaceIndex;
  /** Go files use the declarations of the other files of their package (their folder) and of the module's packages they import. */
  readonly go?: GoPackages;
  /** Java files use the resource classes of the other files of their project (javaProject.ts). */
  readonly java?: JavaProject;
  /** Python files use what the functions of the project's modules they import return (pythonProject.ts). */
  readonly python?: PythonProject;
  /** The file's key in the index (its path). */
  readonly file: string;
}

export * from './types';
export { setWasmDir } from './parser';
export { languageForFile, MAX_ANALYSED_BYTES, SOURCE_EXTENSIONS } from './sources';

/**
 * Analyses one source text. Never throws for bad input: binary or huge text and text that does
 * not parse come back with a note (and whatever findings the parsable part gave).
 */
export async function analyzeSource(text: string, language: LanguageId, options: AnalysisOptions = {}, workspace?: SourceWorkspace): Promise<AnalysisResult> {
  if (text.length > MAX_ANALYSED_BYTES) {
    return { language, findings: [], hadParseErrors: false, notes: [`skipped: file is larger than ${MAX_ANALYSED_BYTES / 1024 / 1024} MiB`] };
  }
  if (text.includes('\u0000')) {
    return { language, findings: [], hadParseErrors: false, notes: ['skipped: binary file (contains NUL bytes)'] };
  }
  switch (language) {
    case 'c':
    case 'cpp':
      return analyzeC(text, language, options, workspace?.c ? { index: workspace.c, file: workspace.file } : undefined);
    case 'python':
      return analyzePython(text, options, workspace?.python ? await workspace.python.functions(workspace.file, text) : undefined);
    case 'go':
      if (!workspace?.go) return analyzeGo(text, options);
      {
        const packages = workspace.go;
        const file = workspace.file;
        return analyzeGo(text, options, await packages.siblings(file), await packages.imports(file));
      }
    case 'java':
      return analyzeJava(text, options, workspace?.java ? await workspace.java.resourceClasses(workspace.file, text) : undefined,
        workspace?.java ? await workspace.java.calleeClasses(workspace.file, text) : undefined,
        workspace?.java ? await workspace.java.isolatedClasses(workspace.file, text) : undefined);
  }
}
