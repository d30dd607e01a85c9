// Attacker: whoever reads the CI log or the terminal's scrollback (stderr is a general log). A key typed
// after --psk-ke (a flag that takes no value; --psk does) is a stray argument, and the parser's error echoed
// it whole: "Unexpected argument '0011...'". After a flag that takes no value the stray argument is not shown.
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/helpers.js';

const KEY = '00112233445566778899aabbccddeeff';

describe('an argument after a flag that takes no value', () => {
  it.each([
    ['serve', ['serve', '--port', '0', '--psk-identity', 'a', '--psk-ke', KEY]],
    ['connect', ['connect', '127.0.0.1:1', '--psk-identity', 'a', '--psk-ke', KEY]],
    ['demo', ['demo', '--no-secrets', KEY]],
  ])('%s: one line naming the flag, the argument not shown, exit 2', async (command, argv) => {
    const { code, stdout, stderr } = await runCli(argv);
    const flag = argv[argv.length - 2];
    expect({ code, stdout, stderr }).toEqual({ code: 2, stdout: '', stderr: `tls13: ${command}: ${flag} takes no value; the argument after it is not shown (see tls13 ${command} --help)\n` });
    expect(stderr).not.toContain(KEY.slice(0, 8));
  });

  it('a stray argument elsewhere is still named (a mistyped host is no secret)', async () => {
    const { code, stderr } = await runCli(['connect', '127.0.0.1:1', 'extra']);
    expect(code).toBe(2);
    expect(stderr).toBe('tls13: connect: unexpected argument extra\n');
    const serve = await runCli(['serve', '--port', '0', 'extra']);
    expect(serve.stderr).toMatch(/^tls13: serve: Unexpected argument 'extra'/);
  });
});
