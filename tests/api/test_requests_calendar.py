"""Time limits on the Chinese working-day calendar, and the calendar API.

The tier general is due at the end (China time) of the 7th working day after the day the
order was placed, complex (mediation) the 15th, urgent in 2 hours, utility (repair) in 24
hours. The brief's case: an order placed on 2026-09-30 (the day before 国庆节, 10-01..07 off,
Saturday 10-10 a make-up workday) is due at the end of 2026-10-15. The test clock only moves
forward, so once that day has passed in real time the same arrangement is entered for the
next National Day through the administrator's calendar API (PUT /api/v1/calendar/{day}) and
the order placed on that year's 09-30; for 2027 the expected dates are written out below.
"""
import datetime
import unittest

from test_requests_common import (HOUR_MS, RequestsCase, cst_date, cst_ms,
                                  due_after_working_days, end_of_cst_day)

SEEDED_2026 = [
    ("2026-01-01", "holiday", "元旦"), ("2026-01-02", "holiday", "元旦"),
    ("2026-01-03", "holiday", "元旦"), ("2026-01-04", "workday", "元旦调休上班"),
    ("2026-02-14", "workday", "春节调休上班"),
    ("2026-02-15", "holiday", "春节"), ("2026-02-16", "holiday", "春节"),
    ("2026-02-17", "holiday", "春节"), ("2026-02-18", "holiday", "春节"),
    ("2026-02-19", "holiday", "春节"), ("2026-02-20", "holiday", "春节"),
    ("2026-02-21", "holiday", "春节"), ("2026-02-22", "holiday", "春节"),
    ("2026-02-23", "holiday", "春节"), ("2026-02-28", "workday", "春节调休上班"),
    ("2026-04-04", "holiday", "清明节"), ("2026-04-05", "holiday", "清明节"),
    ("2026-04-06", "holiday", "清明节"),
    ("2026-05-01", "holiday", "劳动节"), ("2026-05-02", "holiday", "劳动节"),
    ("2026-05-03", "holiday", "劳动节"), ("2026-05-04", "holiday", "劳动节"),
    ("2026-05-05", "holiday", "劳动节"), ("2026-05-09", "workday", "劳动节调休上班"),
    ("2026-06-19", "holiday", "端午节"), ("2026-06-20", "holiday", "端午节"),
    ("2026-06-21", "holiday", "端午节"),
    ("2026-09-20", "workday", "国庆节调休上班"),
    ("2026-09-25", "holiday", "中秋节"), ("2026-09-26", "holiday", "中秋节"),
    ("2026-09-27", "holiday", "中秋节"),
    ("2026-10-01", "holiday", "国庆节"), ("2026-10-02", "holiday", "国庆节"),
    ("2026-10-03", "holiday", "国庆节"), ("2026-10-04", "holiday", "国庆节"),
    ("2026-10-05", "holiday", "国庆节"), ("2026-10-06", "holiday", "国庆节"),
    ("2026-10-07", "holiday", "国庆节"), ("2026-10-10", "workday", "国庆节调休上班"),
]

# year → (days to enter, make-up workday, due of general placed 09-30, due of complex)
NATIONAL_DAY = {
    # seeded by the migration; 09-30 is a Wednesday, 10-10 a Saturday
    2026: ([], "2026-10-10", datetime.date(2026, 10, 15), datetime.date(2026, 10, 27)),
    # 2027: only 10-01..03 are seeded; 09-30 is a Thursday, 10-09 a Saturday. Without the
    # holidays the 7th working day would be 10-11, without the make-up day 10-18.
    2027: ([("2027-10-%02d" % d, "holiday", "国庆节") for d in range(4, 8)] +
           [("2027-10-09", "workday", "国庆节调休上班")],
           "2027-10-09", datetime.date(2027, 10, 15), datetime.date(2027, 10, 27)),
}


class DueDateTest(RequestsCase):
    # A year's jump on the clock: passwords must not expire underway.
    serve_args = RequestsCase.serve_args + ("--password-max-age", "0")

    def put_day(self, client, day, kind, name=""):
        return client.put("/api/v1/calendar/%s" % day, json={"kind": kind, "name": name})

    def test_a_working_days_around_new_year(self):
        # Seeded 2027-01-01 (元旦) is off: an order of 2026-12-24 (Thursday) 10:00 is due at
        # the end of 2027-01-05 (12-25, 28, 29, 30, 31, 01-04, 01-05).
        placed_at = cst_ms(2026, 12, 24, 10)
        if self.now() > placed_at:
            self.skipTest("2026-12-24 has passed")
        self.goto(placed_at)
        o = self.place("health", "慢病随访")
        self.assertEqual(o["due_at"], end_of_cst_day(datetime.date(2027, 1, 5)))

    def test_b_national_day_general_and_complex(self):
        now = self.now()
        year = next(y for y in range(cst_date(now).year, cst_date(now).year + 2)
                    if cst_ms(y, 9, 30, 10) > now)
        admin = self.as_user("admin")
        if year in NATIONAL_DAY:
            extra, makeup, due_general, due_complex = NATIONAL_DAY[year]
        else:  # a later year: the same shape, dates computed independently
            extra = [("%d-10-%02d" % (year, d), "holiday", "国庆节") for d in range(1, 8)]
            sat = next(datetime.date(year, 10, d) for d in range(8, 15)
                       if datetime.date(year, 10, d).weekday() == 5)
            makeup = sat.isoformat()
            extra.append((makeup, "workday", "国庆节调休上班"))
            due_general = due_complex = None
        for day, kind, name in extra:
            r = self.put_day(admin, day, kind, name)
            self.assertEqual(r.status, 200, r)
        cal = self.calendar(year)
        self.assertEqual(cal[makeup], "workday")
        for d in range(1, 8):
            self.assertEqual(cal["%d-10-%02d" % (year, d)], "holiday")

        placed_at = cst_ms(year, 9, 30, 10)
        self.goto(placed_at)
        general = self.place_public("agri", text="国庆前报的农技单")
        complex_ = self.place("mediation", "邻里宅基地纠纷")
        urgent = self.place("errand", "独居老人摔倒", urgency="urgent")
        utility = self.place("repair", "暖气不热")
        self.assertEqual(general["created_at"] // 1000, placed_at // 1000)
        if due_general is None:
            g = due_after_working_days(general["created_at"], 7, cal)
            c = due_after_working_days(complex_["created_at"], 15, cal)
        else:
            g, c = end_of_cst_day(due_general), end_of_cst_day(due_complex)
            # the brief's figure: 00:00 +08:00 of the next day, less a millisecond
            self.assertEqual(g, cst_ms(year, 10, 16) - 1)
        self.assertEqual(general["due_at"], g)
        self.assertEqual(self.order(general["id"])["tier"], "general")
        self.assertEqual((complex_["tier"], complex_["due_at"]), ("complex", c))
        self.assertEqual((urgent["tier"], urgent["due_at"] - urgent["created_at"]),
                         ("urgent", 2 * HOUR_MS))
        self.assertEqual((utility["tier"], utility["due_at"] - utility["created_at"]),
                         ("utility", 24 * HOUR_MS))
        # An urgent order of any category is urgent; a repair placed as normal is utility.
        self.assertEqual(self.place("mediation", "打架了", urgency="urgent")["tier"], "urgent")

        # Overdue once past due: the list's overdue=1 filter and the order's flag.
        self.goto(general["due_at"] + 1)
        o = self.order(general["id"])
        self.assertIs(o["overdue"], True)
        over = [i["id"] for i in self.list_orders("hutele", query="&overdue=1")]
        self.assertIn(general["id"], over)
        self.assertNotIn(complex_["id"], over)
        self.assertIs(self.order(complex_["id"])["overdue"], False)


class CalendarApiTest(RequestsCase):
    def test_the_seeded_2026_calendar(self):
        r = self.as_user("secretary").get("/api/v1/calendar?year=2026")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["year"], "2026")
        got = [(i["day"], i["kind"], i["name"]) for i in r.json["items"]]
        self.assertEqual(got, SEEDED_2026)
        days = [g[0] for g in got]
        self.assertEqual(days, sorted(days))
        r = self.as_user("volunteer").get("/api/v1/calendar?year=2027")
        self.assertEqual(r.status, 200, r)
        self.assertIn(("2027-10-01", "holiday"), [(i["day"], i["kind"]) for i in r.json["items"]])
        self.assertEqual(self.as_user("secretary").get("/api/v1/calendar?year=1999").json["items"],
                         [])

    def test_set_a_day_admin_only(self):
        admin, sec = self.as_user("admin"), self.as_user("secretary")
        r = admin.put("/api/v1/calendar/2027-02-04", json={"kind": "holiday", "name": "春节"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {"day": "2027-02-04", "kind": "holiday", "name": "春节"})
        items = sec.get("/api/v1/calendar?year=2027").json["items"]
        self.assertIn({"day": "2027-02-04", "kind": "holiday", "name": "春节"}, items)
        # Changing it replaces the row; "normal" removes it.
        r = admin.put("/api/v1/calendar/2027-02-04", json={"kind": "workday", "name": "调休"})
        self.assertEqual(r.status, 200, r)
        rows = [i for i in sec.get("/api/v1/calendar?year=2027").json["items"]
                if i["day"] == "2027-02-04"]
        self.assertEqual(rows, [{"day": "2027-02-04", "kind": "workday", "name": "调休"}])
        r = admin.put("/api/v1/calendar/2027-02-04", json={"kind": "normal"})
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("2027-02-04",
                         [i["day"] for i in sec.get("/api/v1/calendar?year=2027").json["items"]])

        for who in ("secretary", "town", "county", "volunteer"):
            r = self.as_user(who).put("/api/v1/calendar/2027-02-04",
                                      json={"kind": "holiday", "name": "春节"})
            self.assert_problem(r, 403, "auth.forbidden")
        self.assertNotIn("2027-02-04",
                         [i["day"] for i in sec.get("/api/v1/calendar?year=2027").json["items"]])
        r = self.new_client().put("/api/v1/calendar/2027-02-04", json={"kind": "holiday"})
        self.assert_problem(r, 401, "auth.required")

    def test_bad_days_and_kinds(self):
        admin = self.as_user("admin")
        for day in ("2027-02-30", "2027-13-01", "20270204", "2027-2-4", "tomorrow",
                    "2027-02-04x"):
            r = admin.put("/api/v1/calendar/%s" % day, json={"kind": "holiday", "name": "x"})
            self.assert_problem(r, 400, "request.bad_id")
        for body, field in (({"kind": "festival"}, "kind"), ({}, "kind"), ({"kind": 1}, "kind"),
                            ({"kind": "holiday", "name": "长" * 101}, "name"),
                            ({"kind": "holiday", "name": 5}, "name")):
            r = admin.put("/api/v1/calendar/2027-03-01", json=body)
            self.assert_problem(r, 400, "request.bad_field", field)
        for q in ("", "?year=", "?year=27", "?year=abcd", "?year=20266"):
            r = self.as_user("secretary").get("/api/v1/calendar" + q)
            self.assert_problem(r, 400, "request.bad_query", "year")


if __name__ == "__main__":
    unittest.main()
