/** The oldest Node.js major version Masque runs on. */
export declare const OLDEST_SUPPORTED_MAJOR: number;
/** The one-line refusal for `version`, or undefined when it is supported. */
export declare function nodeVersionRefusal(version: string, command?: string): string | undefined;
/** Stops the process with the refusal when this Node.js is too old for Masque. */
export declare function exitOnUnsupportedNode(): void;
