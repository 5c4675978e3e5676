import { styleText } from 'node:util';

export type Styler = (format: Parameters<typeof styleText>[0], text: string) => string;

/**
 * Colour only for a terminal that wants it: `--no-color`/`--color` first, then NO_COLOR,
 * FORCE_COLOR and whether stdout is a TTY (what `hasColors` weighs).
 */
export function makeStyler(stream: NodeJS.WriteStream, flag?: boolean): Styler {
  const env = process.env;
  const enabled =
    flag ?? (env['NO_COLOR'] ? false : env['FORCE_COLOR'] ? env['FORCE_COLOR'] !== '0' : Boolean(stream.isTTY && stream.hasColors?.()));
  return enabled ? (format, text) => styleText(format, text, { validateStream: false }) : (_format, text) => text;
}
