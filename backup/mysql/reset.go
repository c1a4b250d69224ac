package mysql

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/command"
)

// Reset drops db's views, tables (foreign key checks off), sequences,
// procedures, functions and events; triggers go with their tables. A
// database that does not exist is left alone.
func (a *Adapter) Reset(ctx context.Context, db backup.Database) error {
	c, err := parseConn(db)
	if err != nil {
		return fmt.Errorf("reset %s: %w", what(db, nil), err)
	}
	client, err := findTool(a.opts.ClientTool, clientTools, db.Env)
	if err != nil {
		return fmt.Errorf("reset %s: %w", what(db, c), err)
	}
	if err := a.reset(ctx, db, c, client, false); err != nil {
		return fmt.Errorf("reset %s: %w", what(db, c), err)
	}
	return nil
}

// reset drops the database's objects; with create, it creates the
// database if it does not exist.
func (a *Adapter) reset(ctx context.Context, db backup.Database, c *conn, client string, create bool) error {
	args := append(a.connArgs(ctx, client, c), "--batch", "--skip-column-names", "--default-character-set=utf8mb4")
	spec := a.spec(client, args, db, c)
	spec.Stdin = strings.NewReader(inventorySQL(c.database))
	var out bytes.Buffer
	if err := command.Run(ctx, spec, &out); err != nil {
		return fmt.Errorf("list objects: %w", err)
	}
	inv, err := parseInventory(out.Bytes())
	if err != nil {
		return err
	}
	sql := inv.dropSQL(c.database, create)
	if sql == "" {
		return nil
	}
	a.log.Debug("reset mysql database", "database", db.Name, "objects", len(inv.objects), "create", !inv.exists)
	spec = a.spec(client, args, db, c)
	if err := command.RunInput(ctx, spec, strings.NewReader(sql)); err != nil {
		return fmt.Errorf("drop objects: %w", err)
	}
	return nil
}

// object is a schema object that reset drops.
type object struct {
	kind string // one of dropOrder
	name string
}

// dropOrder is the order objects are dropped in, with their DROP keyword.
var dropOrder = []struct{ kind, keyword string }{
	{"view", "VIEW"}, {"table", "TABLE"}, {"sequence", "SEQUENCE"},
	{"procedure", "PROCEDURE"}, {"function", "FUNCTION"}, {"event", "EVENT"},
}

// inventory is what a database holds.
type inventory struct {
	exists  bool
	objects []object
}

// inventorySQL lists database's objects as lines of kind and hex-encoded
// name, which survive any character in a name. The name is compared as a
// binary string, so it needs no escaping.
func inventorySQL(database string) string {
	lit := "X'" + hex.EncodeToString([]byte(database)) + "'"
	return strings.NewReplacer("?", lit).Replace(`
SELECT 'schema', HEX(SCHEMA_NAME) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?;
SELECT 'view', HEX(TABLE_NAME) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?;
SELECT IF(TABLE_TYPE = 'SEQUENCE', 'sequence', 'table'), HEX(TABLE_NAME) FROM information_schema.TABLES
  WHERE TABLE_SCHEMA = ? AND TABLE_TYPE NOT IN ('VIEW', 'SYSTEM VIEW');
SELECT LOWER(ROUTINE_TYPE), HEX(ROUTINE_NAME) FROM information_schema.ROUTINES
  WHERE ROUTINE_SCHEMA = ? AND ROUTINE_TYPE IN ('PROCEDURE', 'FUNCTION');
SELECT 'event', HEX(EVENT_NAME) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?;
`)
}

// parseInventory parses the output of inventorySQL.
func parseInventory(out []byte) (inventory, error) {
	var inv inventory
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		kind, h, ok := strings.Cut(sc.Text(), "\t")
		name, err := hex.DecodeString(h)
		if !ok || err != nil {
			return inv, fmt.Errorf("list objects: unexpected output line %q", sc.Text())
		}
		if kind == "schema" {
			inv.exists = true
			continue
		}
		inv.objects = append(inv.objects, object{kind: kind, name: string(name)})
	}
	return inv, sc.Err()
}

// dropSQL returns the statements that drop the objects of database (and,
// with create, create it if it does not exist), or "" if there is nothing
// to do.
func (inv inventory) dropSQL(database string, create bool) string {
	var b strings.Builder
	if !inv.exists && create {
		fmt.Fprintf(&b, "CREATE DATABASE %s;\n", quoteIdent(database))
	}
	if len(inv.objects) > 0 {
		b.WriteString("SET FOREIGN_KEY_CHECKS = 0;\n")
	}
	for _, d := range dropOrder {
		for _, o := range inv.objects {
			if o.kind == d.kind {
				fmt.Fprintf(&b, "DROP %s IF EXISTS %s.%s;\n", d.keyword, quoteIdent(database), quoteIdent(o.name))
			}
		}
	}
	return b.String()
}

// quoteIdent quotes a MySQL identifier with backticks.
func quoteIdent(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }
