/** The part of the espeak-ng package (eSpeak NG compiled with Emscripten) the call-audio thread uses. */
declare module 'espeak-ng' {
  interface ESpeakModule {
    FS: { readFile(path: string): Uint8Array };
  }
  export default function ESpeakNg(options: { arguments: string[] }): Promise<ESpeakModule>;
}
