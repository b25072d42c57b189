import { stringify, type Options } from "csv-stringify/sync";

/** A spreadsheet runs a cell starting with one of these as a formula (CSV injection): such text gets a `'` first. */
const formulaStart = /^[=+\-@\t\r]/;

const options: Options = {
  quoted: true,
  quoted_empty: true,
  record_delimiter: "\n",
  cast: { string: (value) => (formulaStart.test(value) ? `'${value}` : value) },
};

/**
 * The header line of a CSV file, after a UTF-8 byte order mark: without it Excel reads the file in the
 * machine's legacy code page and Arabic or Chinese text turns to mojibake.
 */
export const csvHeader = (columns: string[]): string => stringify([columns], { ...options, bom: true });

/** CSV lines for records, every cell quoted (commas, quotes and newlines inside a value stay in its cell). */
export const csvRecords = (records: unknown[][]): string => stringify(records, options);
