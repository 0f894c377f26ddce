"""Model-based test of the points ledger: seeded random sequences of valid and invalid
operations (entries with positive and negative items, approvals by the checker and by the
maker, rejections, reversals, redemptions held / picked up / cancelled / expired, duplicate
idempotency keys, restocks, clock jumps, unknown ids) run against the server and against a
small Python model. After every step the server's status (and problem code) is the model's;
every few steps, and at the end, each household's balance, pending and available equal the
model's and equal its listed approved entries minus its picked-up redemptions, available is
never negative, and `tala check` passes on the live database at the end."""
import os
import random
import unittest

from test_points_common import PointsCase, new_key

STEPS = int(os.environ.get("TALA_POINTS_MODEL_STEPS", "300"))
SEEDS = (20261126, 4242)
HOUSEHOLDS = 4
VERIFY_EVERY = 25
# Clock jumps stay well inside the 90-day password age of the demo accounts.
MAX_ADVANCE_DAYS = 60


class Model:
    def __init__(self):
        self.entries = {}      # id → dict(hh, points, status, maker, reverses, reversed_by)
        self.entry_keys = []   # (key, body, id)
        self.reds = {}         # id → dict(hh, goods, qty, amount, status, expires_at)
        self.red_keys = []     # (key, body, id)
        self.stock = {}        # goods id → stock
        self.price = {}        # goods id → price

    def posted(self, hh):
        s = sum(e["points"] for e in self.entries.values()
                if e["hh"] == hh and e["status"] == "approved")
        return s - sum(r["amount"] for r in self.reds.values()
                       if r["hh"] == hh and r["status"] == "picked_up")

    def pending(self, hh):
        return sum(r["amount"] for r in self.reds.values()
                   if r["hh"] == hh and r["status"] == "held")

    def available(self, hh):
        return self.posted(hh) - self.pending(hh)


class PointsModelTest(PointsCase):
    advanced_days = 0

    @classmethod
    def prepare(cls):
        cls.maker = cls.as_user("secretary")
        cls.checker = cls.add_user("mcheck")
        cls.actors = {"secretary": cls.maker, "mcheck": cls.checker}

    # -- the run --

    def run_model(self, seed):
        rng = random.Random(seed)
        m = Model()
        mk = self.maker
        hhs = [self.new_household(mk)["id"] for _ in range(HOUSEHOLDS)]
        items = {}
        for code, pts in (("m%d-p5" % seed, 5), ("m%d-p20" % seed, 20), ("m%d-n3" % seed, -3),
                          ("m%d-n15" % seed, -15)):
            items[code] = (self.new_item(mk, code, pts)["id"], pts)
        for price, stock in ((7, 4), (25, 2)):
            g = self.new_goods(mk, price=price, stock=stock)
            m.stock[g["id"]], m.price[g["id"]] = stock, price
        trace = []
        ops = [(self.op_create, 30), (self.op_create_dup, 4), (self.op_create_conflict, 3),
               (self.op_approve, 20), (self.op_reject, 5), (self.op_reverse, 8),
               (self.op_redeem, 11), (self.op_redeem_dup, 2), (self.op_pickup, 5),
               (self.op_cancel, 4), (self.op_restock, 2), (self.op_advance, 1),
               (self.op_unknown, 2)]
        funcs = [f for f, _ in ops]
        weights = [w for _, w in ops]
        for step in range(STEPS):
            fn = rng.choices(funcs, weights)[0]
            desc, resp, want = fn(rng, m, hhs, items)
            trace.append("%d %s → %s" % (step, desc, resp.status))
            got = (resp.status, resp.json.get("code") if resp.status >= 400 and resp.json
                   else None)
            self.assertEqual(got, want, "seed %d step %d: %s\n%r\nlast steps:\n%s"
                             % (seed, step, desc, resp, "\n".join(trace[-12:])))
            if (step + 1) % VERIFY_EVERY == 0:
                self.verify(m, hhs, "seed %d step %d" % (seed, step))
        self.verify(m, hhs, "seed %d end" % seed)
        kinds = {}
        for t in trace:
            k = t.split()[1]
            kinds[k] = kinds.get(k, 0) + 1
        return kinds

    def verify(self, m, hhs, where):
        reds = self.redemptions(self.maker, "hutele")
        by_id = {r["id"]: r for r in reds}
        for rid, r in m.reds.items():
            self.assertEqual(by_id[rid]["status"], r["status"], "%s: redemption %d" % (where, rid))
        for hh in hhs:
            p = self.hh_points(self.maker, hh)
            want = (m.posted(hh), m.pending(hh), m.available(hh))
            self.assertEqual((p["balance"], p["pending"], p["available"]), want,
                             "%s: household %d" % (where, hh))
            self.assertGreaterEqual(p["available"], 0, "%s: household %d" % (where, hh))
            listed = sum(e["points"] for e in p["entries"] if e["status"] == "approved")
            picked = sum(r["amount"] for r in reds
                         if r["household"]["id"] == hh and r["status"] == "picked_up")
            self.assertEqual(p["balance"], listed - picked, "%s: household %d" % (where, hh))
            mine = {eid: e for eid, e in m.entries.items() if e["hh"] == hh}
            self.assertEqual({e["id"] for e in p["entries"]}, set(mine), where)
            for e in p["entries"]:
                me = mine[e["id"]]
                self.assertEqual((e["status"], e["points"], e["reverses"], e["reversed_by"]),
                                 (me["status"], me["points"], me["reverses"], me["reversed_by"]),
                                 "%s: entry %d" % (where, e["id"]))
        goods = {g["id"]: g["stock"] for g in
                 self.maker.get("/api/v1/points/goods?node=hutele").json["items"]}
        for gid, stock in m.stock.items():
            self.assertEqual(goods[gid], stock, "%s: goods %d" % (where, gid))

    # -- operations: each returns (description, response, (status, code)) --

    def pick_entry(self, rng, m, prefer=None):
        if not m.entries:
            return None
        pool = [i for i, e in m.entries.items() if prefer and prefer(e)]
        if pool and rng.random() < 0.8:
            return rng.choice(pool)
        return rng.choice(list(m.entries))

    def op_create(self, rng, m, hhs, items):
        hh = rng.choice(hhs)
        code = rng.choices(list(items), (4, 3, 2, 1))[0]  # mostly positive items
        ref = code if rng.random() < 0.5 else items[code][0]
        key = new_key("m")
        body = {"household": hh, "item": ref, "note": "n%d" % rng.randrange(1000),
                "idempotency_key": key}
        r = self.maker.post("/api/v1/points/entries", json=body)
        if r.status == 201:
            m.entries[r.json["id"]] = dict(hh=hh, points=items[code][1], status="pending",
                                           maker="secretary", reverses=None, reversed_by=None)
            m.entry_keys.append((key, body, r.json["id"]))
            self.assertEqual((r.json["points"], r.json["status"]), (items[code][1], "pending"))
        return "create hh%d %s" % (hh, code), r, (201, None)

    def op_create_dup(self, rng, m, hhs, items):
        if not m.entry_keys:
            return self.op_create(rng, m, hhs, items)
        key, body, eid = rng.choice(m.entry_keys)
        r = self.maker.post("/api/v1/points/entries", json=body)
        if r.status == 200:
            self.assertEqual((r.json["id"], r.json["status"]), (eid, m.entries[eid]["status"]))
        return "create-dup %s" % key, r, (200, None)

    def op_create_conflict(self, rng, m, hhs, items):
        if not m.entry_keys:
            return self.op_create(rng, m, hhs, items)
        key, body, eid = rng.choice(m.entry_keys)
        other = dict(body, note=body["note"] + "x")
        r = self.maker.post("/api/v1/points/entries", json=other)
        return "create-conflict %s" % key, r, (409, "points.idempotency_conflict")

    def decide(self, rng, m, approve):
        eid = self.pick_entry(rng, m, lambda e: e["status"] == "pending")
        if eid is None:
            return None
        e = m.entries[eid]
        actor = "mcheck" if rng.random() < 0.9 else "secretary"
        verb = "approve" if approve else "reject"
        if approve:
            r = self.actors[actor].post("/api/v1/points/entries/%d/approve" % eid)
        else:
            r = self.actors[actor].post("/api/v1/points/entries/%d/reject" % eid,
                                        json={"reason": "不符"})
        if e["maker"] == actor:
            want = (403, "points.maker_checker")
        elif e["status"] != "pending":
            want = (409, "points.bad_state")
        elif approve and m.available(e["hh"]) + e["points"] < 0:
            want = (409, "points.insufficient")
        else:
            want = (200, None)
            e["status"] = "approved" if approve else "rejected"
        return "%s e%d by %s" % (verb, eid, actor), r, want

    def op_approve(self, rng, m, hhs, items):
        return self.decide(rng, m, True) or self.op_create(rng, m, hhs, items)

    def op_reject(self, rng, m, hhs, items):
        return self.decide(rng, m, False) or self.op_create(rng, m, hhs, items)

    def op_reverse(self, rng, m, hhs, items):
        eid = self.pick_entry(rng, m, lambda e: e["status"] == "approved" and not e["reverses"])
        if eid is None:
            return self.op_create(rng, m, hhs, items)
        e = m.entries[eid]
        actor = rng.choice(list(self.actors))
        r = self.actors[actor].post("/api/v1/points/entries/%d/reverse" % eid,
                                    json={"reason": "更正"})
        if e["status"] != "approved" or e["reverses"]:
            want = (409, "points.bad_state")
        elif e["reversed_by"]:
            want = (409, "points.already_reversed")
        elif e["points"] > 0 and m.available(e["hh"]) - e["points"] < 0:
            want = (409, "points.insufficient")
        else:
            want = (201, None)
            if r.status == 201:
                rid = r.json["id"]
                self.assertEqual((r.json["points"], r.json["reverses"], r.json["status"]),
                                 (-e["points"], eid, "approved"))
                m.entries[rid] = dict(hh=e["hh"], points=-e["points"], status="approved",
                                      maker=actor, reverses=eid, reversed_by=None)
                e["reversed_by"] = rid
        return "reverse e%d by %s" % (eid, actor), r, want

    def op_redeem(self, rng, m, hhs, items):
        # Half the time the household with the most points to spend, else any.
        hh = max(hhs, key=m.available) if rng.random() < 0.5 else rng.choice(hhs)
        gid = rng.choice(list(m.stock))
        qty = rng.choice((1, 1, 1, 2, 3))
        key = new_key("mr")
        body = {"household": hh, "goods": gid, "quantity": qty, "idempotency_key": key}
        r = self.maker.post("/api/v1/points/redemptions", json=body)
        amount = m.price[gid] * qty
        if m.stock[gid] < qty:
            want = (409, "points.out_of_stock")
        elif m.available(hh) < amount:
            want = (409, "points.insufficient")
        else:
            want = (201, None)
            if r.status == 201:
                self.assertEqual((r.json["amount"], r.json["status"]), (amount, "held"))
                m.reds[r.json["id"]] = dict(hh=hh, goods=gid, qty=qty, amount=amount,
                                            status="held", expires_at=r.json["expires_at"])
                m.red_keys.append((key, body, r.json["id"]))
                m.stock[gid] -= qty
        return "redeem hh%d g%d ×%d" % (hh, gid, qty), r, want

    def op_redeem_dup(self, rng, m, hhs, items):
        if not m.red_keys:
            return self.op_redeem(rng, m, hhs, items)
        key, body, rid = rng.choice(m.red_keys)
        if rng.random() < 0.5:
            r = self.maker.post("/api/v1/points/redemptions", json=body)
            if r.status == 200:
                self.assertEqual((r.json["id"], r.json["status"]), (rid, m.reds[rid]["status"]))
            return "redeem-dup %s" % key, r, (200, None)
        other = dict(body, quantity=body["quantity"] % 3 + 1)
        r = self.maker.post("/api/v1/points/redemptions", json=other)
        return "redeem-conflict %s" % key, r, (409, "points.idempotency_conflict")

    def settle(self, rng, m, hhs, items, verb):
        if not m.reds:
            return self.op_redeem(rng, m, hhs, items)
        held = [i for i, r in m.reds.items() if r["status"] == "held"]
        rid = rng.choice(held) if held and rng.random() < 0.8 else rng.choice(list(m.reds))
        rd = m.reds[rid]
        actor = rng.choice(list(self.actors))
        r = self.actors[actor].post("/api/v1/points/redemptions/%d/%s" % (rid, verb))
        if rd["status"] != "held":
            want = (409, "points.bad_state")
        else:
            want = (200, None)
            if verb == "pickup":
                rd["status"] = "picked_up"
            else:
                rd["status"] = "cancelled"
                m.stock[rd["goods"]] += rd["qty"]
        return "%s r%d by %s" % (verb, rid, actor), r, want

    def op_pickup(self, rng, m, hhs, items):
        return self.settle(rng, m, hhs, items, "pickup")

    def op_cancel(self, rng, m, hhs, items):
        return self.settle(rng, m, hhs, items, "cancel")

    def op_restock(self, rng, m, hhs, items):
        gid = rng.choice(list(m.stock))
        q = rng.randint(1, 3)
        r = self.maker.post("/api/v1/points/goods/%d/restock" % gid, json={"quantity": q})
        if r.status == 200:
            m.stock[gid] += q
            self.assertEqual(r.json["stock"], m.stock[gid])
        return "restock g%d +%d" % (gid, q), r, (200, None)

    def op_advance(self, rng, m, hhs, items):
        days = rng.choice((2, 3, 5))
        cls = type(self)
        if cls.advanced_days + days > MAX_ADVANCE_DAYS:
            return self.op_create(rng, m, hhs, items)
        cls.advanced_days += days
        now = self.advance_days(days)
        # Listing the village's redemptions voids the holds whose time ran out.
        r = self.maker.get("/api/v1/points/redemptions?node=hutele")
        for rd in m.reds.values():
            if rd["status"] == "held" and rd["expires_at"] < now:
                rd["status"] = "expired"
                m.stock[rd["goods"]] += rd["qty"]
        return "advance %dd" % days, r, (200, None)

    def op_unknown(self, rng, m, hhs, items):
        c = self.checker
        choice = rng.randrange(4)
        if choice == 0:
            return "approve e999999", c.post("/api/v1/points/entries/999999/approve"), \
                (404, "points.not_found")
        if choice == 1:
            return "reverse e999999", c.post("/api/v1/points/entries/999999/reverse",
                                             json={"reason": "x"}), (404, "points.not_found")
        if choice == 2:
            return "pickup r999999", c.post("/api/v1/points/redemptions/999999/pickup"), \
                (404, "points.not_found")
        return "redeem g999999", self.maker.post("/api/v1/points/redemptions", json={
            "household": hhs[0], "goods": 999999, "idempotency_key": new_key("mu")}), \
            (404, "points.goods_not_found")

    # -- tests --

    def test_seed_a(self):
        kinds = self.run_model(SEEDS[0])
        for k in ("create", "approve", "reverse", "redeem", "pickup", "cancel"):
            self.assertGreater(kinds.get(k, 0), 0, kinds)
        self.assert_check_passes()

    def test_seed_b(self):
        self.run_model(SEEDS[1])
        self.assert_check_passes()


if __name__ == "__main__":
    unittest.main()
