// The real database servers the example operators are tested against.
import assert from "node:assert/strict";
import os from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { MongoClient } from "mongodb";
import mysql from "mysql2/promise";
import { startFerretDB } from "./ferretdb.js";
import { startMariaDB, type MariaDB } from "./mariadb.js";

const asRoot = (db: MariaDB) =>
  mysql.createConnection({ host: db.host, port: db.port, user: db.user, password: db.password });

describe("test database servers", () => {
  test("MariaDB starts on loopback and its root account answers over TCP", async () => {
    const db = await startMariaDB();
    try {
      const c = await asRoot(db);
      const [rows] = await c.query("SELECT VERSION() AS v");
      assert.match((rows as { v: string }[])[0]!.v, /MariaDB/);
      await c.end();
      await assert.rejects(
        mysql.createConnection({ host: db.host, port: db.port, user: db.user, password: "wrong" }),
        /Access denied/,
      );
    } finally {
      await db.stop();
    }
  });

  test("each MariaDB server keeps its temporary files in a directory of its own, so servers starting together do not delete each other's", async () => {
    const db = await startMariaDB();
    try {
      const c = await asRoot(db);
      const [rows] = await c.query("SELECT @@tmpdir AS dir");
      await c.end();
      const dir = (rows as { dir: string }[])[0]!.dir;
      assert.equal(path.dirname(path.dirname(dir)), os.tmpdir(), dir);
      assert.match(path.basename(path.dirname(dir)), /^capstan-mariadb-/);
    } finally {
      await db.stop();
    }
  });

  test("FerretDB speaks the MongoDB protocol and manages SCRAM users", async () => {
    const db = await startFerretDB();
    const admin = new MongoClient(db.uri, { serverSelectionTimeoutMS: 10_000 });
    try {
      await admin.connect();
      await admin.db("admin").command({ createUser: "alice", pwd: "correct-horse", roles: [] });
      const alice = new MongoClient(
        `mongodb://alice:correct-horse@127.0.0.1:${db.port}/?authSource=admin`,
        {
          serverSelectionTimeoutMS: 10_000,
        },
      );
      await alice.connect();
      assert.equal((await alice.db("admin").command({ ping: 1 })).ok, 1);
      await alice.close();
      const bad = new MongoClient(`mongodb://alice:wrong@127.0.0.1:${db.port}/?authSource=admin`, {
        serverSelectionTimeoutMS: 5000,
      });
      await assert.rejects(bad.connect(), /auth|Authentication/i);
      await bad.close();
    } finally {
      await admin.close();
      await db.stop();
    }
  });
});
