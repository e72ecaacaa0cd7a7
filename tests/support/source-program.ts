/**
 * The project's code as the TypeScript compiler sees it (tsconfig.json: src, worker, scripts,
 * bench), with its type checker, for structure tests that ask what a call sends rather than what
 * its text looks like. `extra` adds files that exist only in memory, at paths inside the project,
 * so a test can plant a mistake and see the check report it without writing to the tree.
 */
import path from 'node:path';
import ts from 'typescript';

export const ROOT = path.join(__dirname, '..', '..');

export interface SourceProgram {
  program: ts.Program;
  checker: ts.TypeChecker;
  /** The project's own files (no declaration files, nothing of node_modules), planted ones included. */
  files: ts.SourceFile[];
}

export function sourceProgram(extra: Record<string, string> = {}): SourceProgram {
  const planted = new Map(Object.entries(extra).map(([file, text]) => [path.join(ROOT, file), text]));
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error('tsconfig.json could not be read');
  const host = ts.createCompilerHost(config.options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (file) => planted.has(file) || fileExists.call(host, file);
  host.readFile = (file) => planted.get(file) ?? readFile.call(host, file);
  host.getSourceFile = (file, language, ...rest) =>
    planted.has(file) ? ts.createSourceFile(file, planted.get(file)!, language) : getSourceFile.call(host, file, language, ...rest);
  const program = ts.createProgram([...config.fileNames, ...planted.keys()], config.options, host);
  const files = program.getSourceFiles().filter((file) => !file.isDeclarationFile && !file.fileName.includes('/node_modules/'));
  return { program, checker: program.getTypeChecker(), files };
}

/** `src/x.ts:12`, where a node is. */
export function whereIs(node: ts.Node): string {
  const file = node.getSourceFile();
  return `${path.relative(ROOT, file.fileName)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
}

/** Every node of the project's files that `pick` answers for, in file order. */
export function collect<T>(files: ts.SourceFile[], pick: (node: ts.Node) => T | undefined): T[] {
  const found: T[] = [];
  const visit = (node: ts.Node): void => {
    const picked = pick(node);
    if (picked !== undefined) found.push(picked);
    ts.forEachChild(node, visit);
  };
  files.forEach(visit);
  return found;
}
