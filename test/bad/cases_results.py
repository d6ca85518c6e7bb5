# Issue 19, files half: p304's own result files edited by hand, and text a
# workbook cannot hold. exec'd by make-catalogue.py (case, scenario, DATA ...).
# Each case failed before its fix: compare/avenant summed a code written
# twice, took rows that did not add up to their total, carried Windows-1252
# text or U+FFFF into comparaison.xlsx with exit 0.


def res(rows, total=None, key="allocated_eur", field="amount_eur", title="R", extra=""):
    """A result file as p304 writes it (the keys compare and avenant read)."""
    body = ",\n".join(' {"code": %s, "name": "x", %s: %d, "status": "free"}'
                      % (json.dumps(c), json.dumps(field), a) for c, a in rows)
    t = sum(a for _, a in rows) if total is None else total
    tot = "" if t == "none" else '"%s": %s,\n' % (key, t)
    return ('{"id": "r", "title": %s,\n%s%s"rows": [\n%s]}\n'
            % (json.dumps(title, ensure_ascii=False) if not title.startswith("RAW:") else title[4:],
               tot, extra, body)).encode()


CMP = "compare r.json scenario.json -o out"
ROWS = [("01", 400), ("02", 600), ("49", 1000)]
AV = "avenant r.json --consumed conso.csv -o out"
CONSO2 = b"code;consomme_eur\n01;100\n"


def notif(rows, total=None):
    return res(rows, total, key="notified_eur", field="notified_eur")


# --- compare: a result read back -------------------------------------------------
case("compare_result_duplicate_code", "r.json: duplicate code '01' (rows 1 and 3)", cmd=CMP,
     files={"r.json": res([("01", 400), ("02", 600), ("01", 1000)])})
case("compare_result_duplicate_2_and_02", "r.json: duplicate code '02' (rows 2 and 3)", cmd=CMP,
     files={"r.json": res([("01", 400), ("2", 600), ("02", 1000)])})
case("compare_result_duplicate_alias", "r.json: duplicate code '49' (rows 1 and 2)", cmd=CMP,
     files={"r.json": res([("49", 400), ("49D", 600)])})
case("compare_result_rows_above_total", "the rows add up to 2 000 € but \"allocated_eur\" is 1 000 €", cmd=CMP,
     files={"r.json": res(ROWS, total=1000)})
case("compare_result_row_deleted", "the rows add up to 1 000 € but \"allocated_eur\" is 2 000 €", cmd=CMP,
     files={"r.json": res(ROWS[:2], total=2000)})
case("compare_result_no_total", "no whole \"allocated_eur\" (the total of the rows)", cmd=CMP,
     files={"r.json": res(ROWS, total="none")})
case("compare_result_total_fraction", "no whole \"allocated_eur\" (the total of the rows)", cmd=CMP,
     files={"r.json": res(ROWS, total="2000.5")})
case("compare_result_total_string", "no whole \"allocated_eur\" (the total of the rows)", cmd=CMP,
     files={"r.json": res(ROWS, total='"2000"')})
case("compare_notification_total", "the rows add up to 2 000 € but \"notified_eur\" is 1 999 €", cmd=CMP,
     files={"r.json": notif(ROWS, total=1999)})
case("compare_result_cp1252", "r.json:1: byte 0xE9 is not UTF-8 text: a result of p304 is UTF-8", cmd=CMP,
     files={"r.json": res(ROWS, title="RAW:\"R\xe9partition\"".encode("latin-1").decode("latin-1")).replace(
         "R\xe9partition".encode(), b"R\xe9partition")})
case("compare_result_cp1252_name", "r.json:5: byte 0xE8 is not UTF-8 text", cmd=CMP,
     files={"r.json": res(ROWS).replace(b'"02", "name": "x"', b'"02", "name": "Ard\xe8che"')})
case("compare_result_overlong_utf8", "r.json:1: byte 0xC0 is not UTF-8 text", cmd=CMP,
     files={"r.json": res(ROWS).replace(b'"R"', b'"\xc0\xafR"')})
case("compare_result_title_uffff", "r.json: 'title' holds the character U+FFFF, which a workbook cannot hold",
     cmd=CMP, files={"r.json": res(ROWS, title="RAW:\"A\\uffffB\"")})
case("compare_result_name_ufffe", "r.json: 'rows[2].name' holds the character U+FFFE", cmd=CMP,
     files={"r.json": res(ROWS).replace(b'"02", "name": "x"', b'"02", "name": "\xef\xbf\xbe"')})
case("compare_result_status_control", "r.json: 'rows[1].status' holds the character U+0007", cmd=CMP,
     files={"r.json": res(ROWS).replace(b'"free"', b'"fr\\u0007ee"', 1)})
case("compare_result_title_nul_escape", "r.json:1: the text holds the character \\u0000", cmd=CMP,
     files={"r.json": res(ROWS, title="RAW:\"A\\u0000B\"")})
case("compare_result_nul_byte", "r.json: binary data (a NUL byte), expected JSON text", cmd=CMP,
     files={"r.json": res(ROWS).replace(b'"R"', b'"R\x00"')})
case("compare_result_key_control", "r.json: 'ti\\x01tle' holds the character U+0001", cmd=CMP,
     files={"r.json": res(ROWS).replace(b'"title"', b'"ti\\u0001tle"')})

# --- avenant: the current amounts from a result ----------------------------------------
case("avenant_result_duplicate_2_and_02", "r.json: duplicate code '02' (rows 1 and 2)", cmd=AV,
     files={"r.json": notif([("2", 600), ("02", 1000), ("01", 400)]), "conso.csv": CONSO2})
case("avenant_result_total", "the rows add up to 2 000 € but \"notified_eur\" is 2 500 €", cmd=AV,
     files={"r.json": notif(ROWS, total=2500), "conso.csv": CONSO2})
case("avenant_result_cp1252", "r.json:5: byte 0xE8 is not UTF-8 text", cmd=AV,
     files={"r.json": notif(ROWS).replace(b'"02", "name": "x"', b'"02", "name": "Ard\xe8che"'),
            "conso.csv": CONSO2})
case("avenant_result_title_uffff", "r.json: 'title' holds the character U+FFFF", cmd=AV,
     files={"r.json": notif(ROWS).replace(b'"R"', b'"\\uFFFF"'), "conso.csv": CONSO2})

# --- a scenario's text reaches the workbook --------------------------------------------
case("scn_title_uffff", "scenario.json: 'title' holds the character U+FFFF, which a workbook cannot hold",
     scen=scenario().replace(b'"Catalogue"', b'"Catalogue\\uffff"'))
case("scn_title_raw_uffff", "scenario.json: 'title' holds the character U+FFFF",
     scen=scenario().replace(b'"Catalogue"', b'"Catalogue\xef\xbf\xbf"'))
case("scn_description_ufffe", "scenario.json: 'description' holds the character U+FFFE",
     scen=scenario(description="a\ufffeb"))
case("scn_title_control_char", "scenario.json: 'title' holds the character U+0001",
     scen=scenario().replace(b'"Catalogue"', b'"Cata\\u0001logue"'))
case("scn_title_nul_escape", "scenario.json:3: the text holds the character \\u0000",
     scen=scenario().replace(b'"Catalogue"', b'"Cata\\u0000logue"'))
case("scn_id_nul_escape", "scenario.json:2: the text holds the character \\u0000",
     scen=scenario().replace(b'"bad"', b'"x\\u0000y"'))

# --- chart: a result drawn (an SVG chart is XML too) -----------------------------------
CH = "chart r.json --kind bars --format svg -o r.svg"
case("chart_result_duplicate_2_and_02", "r.json: duplicate code '02' (rows 2 and 3)", cmd=CH,
     files={"r.json": res([("01", 400), ("2", 600), ("02", 1000)])})
case("chart_result_rows_above_total", "the rows add up to 2 000 € but \"allocated_eur\" is 1 000 €", cmd=CH,
     files={"r.json": res(ROWS, total=1000)})
case("chart_result_title_uffff", "r.json: 'title' holds the character U+FFFF", cmd=CH,
     files={"r.json": res(ROWS, title="RAW:\"A\\uffffB\"")})
case("chart_result_cp1252", "r.json:5: byte 0xE8 is not UTF-8 text", cmd=CH,
     files={"r.json": res(ROWS).replace(b'"02", "name": "x"', b'"02", "name": "Ard\xe8che"')})
