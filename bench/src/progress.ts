/** Progress lines written so far (off a terminal only every tenth is printed). */
let progressLines = 0;

/** A live line on a terminal (rewritten in place); every tenth one elsewhere (CI logs). */
export function progress(line: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}`);
  else if (line && progressLines++ % 10 === 0) process.stderr.write(`${line}\n`);
}

/** A phase starts: one line on stderr, so a long run says where it is. */
export function phase(label: string, what: string): void {
  progress('');
  process.stderr.write(`bench ${label}: ${what}\n`);
}
