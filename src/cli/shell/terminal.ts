import { createInterface } from 'node:readline/promises';

/** One question on the terminal (the prompt on stderr, so stdout stays for results). */
export async function askOnTerminal(question: string): Promise<string> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await terminal.question(question);
  } finally {
    terminal.close();
  }
}
