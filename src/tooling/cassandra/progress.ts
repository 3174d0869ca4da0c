/** Receives one line of progress at a time (downloads, start-up); the CLI prints them to stderr. */
export type Progress = (line: string) => void;

export const silent: Progress = () => {};
