"""moto's server (DynamoDB and SQS), applying one DynamoDB request at a time.

DynamoDB applies each request to an item atomically: a conditional write's check and its write
are one step. moto's threaded server does not lock, so two concurrent conditional UpdateItems
can both pass their check and the older write can land last: a lost update DynamoDB never
produces. One lock around DynamoDB's requests restores DynamoDB's per-request atomicity; the
server stays threaded, so keep-alive connections of many clients still work. SQS requests are
not locked: a long poll (ReceiveMessage waiting up to 20 s) would stall every DynamoDB request.

moto backs up a TransactWriteItems by deep-copying the whole table once per item of the
transaction, so each transaction costs time in proportion to the table: after a few thousand
groups `make bench` saw 7 s per createGroup and timeouts. Here the backup is the items the
transaction names, restored when it is cancelled: the same all-or-nothing outcome, in time that
does not grow with the table.

Usage: python moto_server.py HOST PORT
       python moto_server.py --self-test   (the transaction backup, in process; CI runs it)
"""

import copy
import os
import sys
import threading

from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models.table import Table
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple


class OneRequestAtATime:
    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            return self.app(environ, start_response)
        with self.lock:
            # Consume the whole response inside the lock: the work happens while iterating.
            return list(self.app(environ, start_response))


class TablesStayInPlace:
    """moto's `copy` while a transaction runs: a Table is not copied, anything else is."""

    @staticmethod
    def deepcopy(value, memo=None):
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def items_named(backend, transact_items):
    """(table, key, the item's attributes now or None) for each item the transaction names."""
    saved = []
    for entry in transact_items:
        op = next(iter(entry.values()), None) if isinstance(entry, dict) else None
        if not isinstance(op, dict) or op.get("TableName") not in backend.tables:
            continue  # moto cancels the transaction on it; nothing of it can change
        table = backend.tables[op["TableName"]]
        key = op.get("Key")
        if key is None:
            item = op.get("Item") or {}
            names = [n for n in (table.hash_key_attr, table.range_key_attr) if n]
            if not all(n in item for n in names):
                continue
            key = {n: item[n] for n in names}
        try:
            current = backend.get_item(op["TableName"], key)
        except Exception:  # a malformed key: moto refuses the transaction on it
            continue
        attributes = copy.deepcopy(current.to_json()["Attributes"]) if current else None
        saved.append((op["TableName"], key, attributes))
    return saved


def restore(backend, saved):
    for table_name, key, attributes in reversed(saved):
        if attributes is None:
            backend.delete_item(table_name, key)
        else:
            backend.put_item(table_name, attributes)


def backup_named_items_only():
    original = dynamodb_models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        saved = items_named(self, transact_items)
        dynamodb_models.copy = TablesStayInPlace
        try:
            return original(self, transact_items)
        except Exception:
            restore(self, saved)
            raise
        finally:
            dynamodb_models.copy = copy

    dynamodb_models.DynamoDBBackend.transact_write_items = transact_write_items


def self_test():
    """A cancelled transaction leaves every item as it was; a committed one applies."""
    import boto3
    from botocore.exceptions import ClientError
    from moto import mock_aws

    backup_named_items_only()
    with mock_aws():
        db = boto3.client("dynamodb", region_name="us-east-1")
        db.create_table(
            TableName="t", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}])

        def key(pk):
            return {"pk": {"S": pk}, "sk": {"S": "1"}}

        def value(pk):
            item = db.get_item(TableName="t", Key=key(pk), ConsistentRead=True).get("Item")
            return item and item["v"]["N"]

        for pk in ("kept", "updated", "deleted"):
            db.put_item(TableName="t", Item={**key(pk), "v": {"N": "1"}})
        try:
            db.transact_write_items(TransactItems=[
                {"Put": {"TableName": "t", "Item": {**key("new"), "v": {"N": "2"}}}},
                {"Update": {"TableName": "t", "Key": key("updated"), "UpdateExpression": "SET v = :v",
                            "ExpressionAttributeValues": {":v": {"N": "9"}}}},
                {"Delete": {"TableName": "t", "Key": key("deleted")}},
                {"Put": {"TableName": "t", "Item": {**key("kept"), "v": {"N": "3"}},
                         "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Put": {"TableName": "t", "Item": {**key("after"), "v": {"N": "4"}}}},
            ])
            raise SystemExit("self-test: the transaction was not cancelled")
        except ClientError as error:
            assert error.response["Error"]["Code"] == "TransactionCanceledException", error
        after_cancel = {pk: value(pk) for pk in ("kept", "updated", "deleted", "new", "after")}
        expected = {"kept": "1", "updated": "1", "deleted": "1", "new": None, "after": None}
        if after_cancel != expected:
            raise SystemExit(f"self-test: after a cancelled transaction {after_cancel}, expected {expected}")
        db.transact_write_items(TransactItems=[
            {"Put": {"TableName": "t", "Item": {**key("new"), "v": {"N": "2"}}}},
            {"Delete": {"TableName": "t", "Key": key("deleted")}},
        ])
        if (value("new"), value("deleted")) != ("2", None):
            raise SystemExit("self-test: a committed transaction was not applied")
    print("moto_server self-test passed")


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return
    backup_named_items_only()
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, OneRequestAtATime(app), threaded=True)


if __name__ == "__main__":
    main()
