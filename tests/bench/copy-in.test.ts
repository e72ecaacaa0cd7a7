import { Client } from 'pg';
import { QueryTypes } from 'sequelize';
import { captureStatements } from '../../bench/captured-sql';
import { copyField, copyIn } from '../../bench/copy-in';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('the growth curves seed with COPY and anchor on the statements the API sends', () => {
  let db: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new Client({ connectionString: db.url });
    await client.connect();
    await client.query('CREATE TABLE copy_probe (id int PRIMARY KEY, note text)');
  });

  afterAll(async () => {
    await client?.end();
    await db?.close();
  });

  it('writes every row of every chunk, tabs, newlines, backslashes and nulls as they were', async () => {
    const notes = ['plain', 'tab\there', 'line\nbreak', 'back\\slash', null];
    const chunks = [0, 1].map((chunk) =>
      notes.map((note, i) => `${[chunk * notes.length + i + 1, note].map(copyField).join('\t')}\n`).join(''),
    );
    await copyIn(client, 'COPY copy_probe (id, note) FROM STDIN', chunks);
    const { rows } = await client.query<{ id: number; note: string | null }>('SELECT id, note FROM copy_probe ORDER BY id');
    expect(rows).toEqual([...notes, ...notes].map((note, i) => ({ id: i + 1, note })));
  });

  it('rejects a COPY PostgreSQL refuses, writes none of its rows and leaves the client usable', async () => {
    const before = (await client.query('SELECT count(*)::int AS n FROM copy_probe')).rows[0].n;
    const chunks = ['100\tfine\n', '1\tduplicate key\n'];
    await expect(copyIn(client, 'COPY copy_probe (id, note) FROM STDIN', chunks)).rejects.toThrow(/duplicate key/);
    const { rows } = await client.query('SELECT count(*)::int AS n FROM copy_probe');
    expect(rows[0].n).toBe(before);
  });

  it('captures the reads a piece of code sends, with their bound values, and then stops capturing', async () => {
    const driverQuery = Client.prototype.query;
    const captured = await captureStatements(async () => {
      await db.sequelize.query('SELECT id FROM copy_probe WHERE id = $1', { bind: [2], type: QueryTypes.SELECT });
    });
    expect(captured).toEqual([{ text: 'SELECT id FROM copy_probe WHERE id = $1', values: [2] }]);
    expect(Client.prototype.query).toBe(driverQuery);
    expect(await db.sequelize.query('SELECT 1 AS one', { type: QueryTypes.SELECT })).toEqual([{ one: 1 }]);
  });
});
