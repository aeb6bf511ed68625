/** Where `img` writes: the CLI passes process.stdout/stderr, tests pass collectors. */
export interface ImgIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}
