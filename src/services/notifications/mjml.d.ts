/** The part of mjml 5 (which ships no types) that ./layout.ts uses: it compiles a document to HTML, asynchronously. */
declare module 'mjml' {
  interface MjmlError {
    formattedMessage: string;
  }
  export default function mjml2html(
    mjml: string,
    options?: { validationLevel?: 'strict' | 'soft' | 'skip'; minify?: boolean },
  ): Promise<{ html: string; errors: MjmlError[] }>;
}
