#!/usr/bin/env python3
"""Writes the bad-input catalogue test/bad/NAME/ (run by test/run-tests.sh).

Each case: the input files, `cmd` (arguments of p304), `expected_exit` and
`expected_stderr_contains` (the key part of the message). The runner also
checks that no file was created or modified. Figures are invented (test data,
not INSEE/DREES). Rerun after editing: python3 test/bad/make-catalogue.py
"""
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))

DATA = (b"code;nom;enfants_0_19;menages_pauvres;enfants_ase;mesures_jeunes_majeurs\n"
        b"1;Ain;160000;20000;1500;200\n02;Aisne;130000;35000;2500;150\n"
        b"03;Allier;65000;25000;1200;90\n49;Maine-et-Loire;200000;40000;3000;400\n"
        b"59;Nord;700000;180000;10000;900\n")
HEADER = DATA.split(b"\n")[0] + b"\n"


def scenario(**over):
    s = {"id": "bad", "title": "Catalogue", "envelope_eur": 10000000, "data": "data.csv",
         "criteria": [{"column": "enfants_0_19", "weight_pct": 28.5},
                      {"column": "menages_pauvres", "weight_pct": 28.5},
                      {"column": "enfants_ase", "weight_pct": 28.5},
                      {"column": "mesures_jeunes_majeurs", "weight_pct": 14.5}],
         "floor_eur": 600000, "ceiling_eur": 4500000}
    for k, v in over.items():
        if v is None:
            s.pop(k, None)
        else:
            s[k] = v
    return json.dumps(s, ensure_ascii=False, indent=1).encode()


def row(line):
    return HEADER + line + b"\n"


CASES = []


def case(name, contains, exit_code=3, files=None, cmd="allocate scenario.json -o out",
         data=DATA, scen=None):
    f = {"data.csv": data, "scenario.json": scen if scen is not None else scenario()}
    f.update(files or {})
    CASES.append((name, f, cmd, exit_code, contains))


NEEDS_OK = b"code;besoin_eur\n01;1000000\n02;1600000\n"
RECON = "reconcile scenario.json --needs besoins.csv -o out"

# --- criteria table -------------------------------------------------------
case("csv_empty_file", "file is empty", data=b"")
case("csv_header_only", "the table has a header but no data row", data=HEADER)
case("csv_blank_lines_only", "no header line", data=b"\n\r\n;;;\n")
case("csv_truncated_in_quote", "file ends inside a quoted field", data=DATA + b'77;"Seine-et-Ma')
case("csv_truncated_row", "no value in column 'menages_pauvres' for '77'", data=DATA + b"77;Seine-et-Marne;392396")
case("csv_binary_garbage", "binary data (a NUL byte)", data=bytes(range(256)) * 4)
case("csv_wrong_separator", "the file seems to use '|' as separator",
     data=DATA.replace(b";", b"|"))
case("csv_duplicated_header", "column 'enfants_ase' appears twice",
     data=DATA.replace(b"mesures_jeunes_majeurs", b"enfants_ase", 1))
case("csv_field_10000_chars", "is 10000 bytes long, more than 4096", data=row(b"49;" + b"x" * 10000 + b";1;1;1;1"))
case("csv_number_with_letters", "value '3000a' in column 'enfants_ase' is not a number",
     data=DATA.replace(b"3000;400", b"3000a;400"))
case("csv_exponent_1e400", "value '1e400' in column 'enfants_ase' is not a number",
     data=DATA.replace(b"3000;400", b"1e400;400"))
case("csv_minus_zero", "value '-0' in column 'enfants_ase' is negative", data=DATA.replace(b"3000;400", b"-0;400"))
case("csv_nan", "value 'NaN' in column 'enfants_ase' is not a number", data=DATA.replace(b"3000;400", b"NaN;400"))
case("csv_infinity", "value 'Infinity' in column 'enfants_ase' is not a number",
     data=DATA.replace(b"3000;400", b"Infinity;400"))
case("csv_thousands_wrong_place", "value '1 23 456' in column 'enfants_0_19' has a thousands separator in the wrong place",
     data=DATA.replace(b"200000;40000", b"1 23 456;40000"))
case("csv_thousands_comma_style", "value '1,234,567' in column 'enfants_0_19' could be misread",
     data=DATA.replace(b"49;Maine-et-Loire;200000", b'49;Maine-et-Loire;"1,234,567"'))
case("csv_mixed_cp1252_utf8", "mixed encodings: line 3 is UTF-8",
     data=DATA.replace(b"Aisne", "Aisné".encode()).replace(b"Allier", b"All\xe9er"))
case("csv_invalid_utf8", "byte 0x81 is neither UTF-8 nor Windows-1252", data=DATA.replace(b"Nord", b"No\x81rd"))
case("csv_negative_value", "value '-40000' in column 'menages_pauvres' is negative",
     data=DATA.replace(b"200000;40000", b"200000;-40000"))
case("csv_plus_sign", "value '+40000' in column 'menages_pauvres' is not a number",
     data=DATA.replace(b"200000;40000", b"200000;+40000"))
case("csv_currency_sign", "value '40000 €' in column 'menages_pauvres' is not a number",
     data=DATA.replace(b"200000;40000", "200000;40000 €".encode()))
case("csv_more_than_3_decimals", "has more than 3 decimals", data=DATA.replace(b"3000;400", b"3000,1234;400"))
case("csv_too_large_number", "value '99999999999999999999' in column 'enfants_ase' is too large",
     data=DATA.replace(b"3000;400", b"99999999999999999999;400"))
case("csv_duplicate_code", "duplicate code '49' (lines 5 and 7)", data=DATA + b"49;Bis;1;1;1;1\n")
case("csv_duplicate_after_normalisation", "duplicate code '01' (lines 2 and 7)", data=DATA + b"01;Ain bis;1;1;1;1\n")
case("csv_duplicate_through_alias", "duplicate code '49' (lines 5 and 7)", data=DATA + b"49D;CTCD;1;1;1;1\n")
case("csv_unknown_code", "code '99' is not in the reference list", data=DATA + b"99;Inconnu;1;1;1;1\n")
case("csv_code_with_inner_space", "code '4 9' is not in the reference list", data=DATA.replace(b"49;", b"4 9;"))
case("csv_missing_value", "no value in column 'enfants_ase' for '49' (Maine-et-Loire)",
     data=DATA.replace(b"3000;400", b";400"))
case("csv_missing_column", "column 'enfants_ase' not found; columns found:",
     data=DATA.replace(b"enfants_ase", b"ase"))
case("csv_missing_code_column", "column 'code' not found", data=DATA.replace(b"code;", b"dep;", 1))
case("csv_extra_fields", "row has 7 fields but the header has 6 columns",
     data=DATA.replace(b"3000;400", b"3000;400;oops"))
case("csv_quote_inside_field", "malformed CSV", data=DATA.replace(b"Maine-et-Loire", b'Maine"et"Loire'))
case("csv_all_zero_column", "column 'mesures_jeunes_majeurs' is 0 for all 5 participants",
     data=b"\n".join(l.rsplit(b";", 1)[0] + b";0" if i else l for i, l in enumerate(DATA.strip().split(b"\n"))) + b"\n")
case("csv_every_participant_zero", "column 'enfants_0_19' is 0 for all 5 participants",
     data=HEADER + b"".join(c + b";X;0;0;0;0\n" for c in (b"01", b"02", b"03", b"49", b"59")))
case("csv_sum_overflows_int64", "data.csv: column 'enfants_0_19' does not fit in 64 bits",
     data=DATA.replace(b"1;Ain;160000", b"1;Ain;9000000000000000").replace(b"02;Aisne;130000", b"02;Aisne;9000000000000000"))
case("csv_data_is_directory", "is a directory, expected a file", exit_code=5,
     files={"dir.csv/.keep": b""}, scen=scenario(data="dir.csv"))
case("csv_data_missing", "file not found", exit_code=5, scen=scenario(data="absent.csv"))
case("csv_data_not_a_directory_path", "cannot open: Not a directory", exit_code=5,
     scen=scenario(data="data.csv/inner.csv"))

# --- scenario ---------------------------------------------------------------
case("scn_empty_file", "scenario.json:1: file is empty, expected a JSON object", scen=b"")
case("scn_invalid_json", "invalid JSON at column", scen=b'{"id": "bad",, "envelope_eur": 1}')
case("scn_truncated_json", "scenario.json:4: the JSON ends too early (column 22), expected a closing", scen=scenario()[:60])
case("scn_binary_garbage", "binary data (a NUL byte), expected JSON text", scen=b"{\x00\x01\x02")
case("scn_array_root", "the scenario must be a JSON object", scen=b"[1, 2, 3]")
case("scn_duplicate_keys", "key 'envelope_eur' appears twice",
     scen=scenario().replace(b'"envelope_eur": 10000000,', b'"envelope_eur": 10000000, "envelope_eur": 5,'))
case("scn_envelope_string", "'envelope_eur' is a string, expected a number of euros", scen=scenario(envelope_eur="50M"))
case("scn_envelope_zero", "'envelope_eur' is 0, expected between 1 and 10^15 euros", scen=scenario(envelope_eur=0))
case("scn_envelope_negative", "'envelope_eur' is -5, expected between 1 and 10^15 euros", scen=scenario(envelope_eur=-5))
case("scn_envelope_above_1e15", "expected between 1 and 10^15 euros", scen=scenario(envelope_eur=2000000000000000))
case("scn_envelope_fraction", "'envelope_eur' is 10.5, expected whole euros", scen=scenario(envelope_eur=10.5))
case("scn_envelope_1e400", "'envelope_eur' is not a finite number",
     scen=scenario().replace(b'"envelope_eur": 10000000', b'"envelope_eur": 1e400'))
case("scn_envelope_missing", "key 'envelope_eur' is missing", scen=scenario(envelope_eur=None))
case("scn_weights_sum_99_9", "criteria weights sum to 99.9 %, expected 100 %",
     scen=scenario(criteria=[{"column": "enfants_0_19", "weight_pct": 50}, {"column": "enfants_ase", "weight_pct": 49.9}]))
case("scn_weight_negative", "'weight_pct' must be a number from 0 to 100",
     scen=scenario(criteria=[{"column": "enfants_0_19", "weight_pct": 110}, {"column": "enfants_ase", "weight_pct": -10}]))
case("scn_weight_string", "'weight_pct' must be a number from 0 to 100",
     scen=scenario(criteria=[{"column": "enfants_0_19", "weight_pct": "100"}]))
case("scn_criteria_empty", "'criteria' must be a non-empty array", scen=scenario(criteria=[]))
case("scn_criterion_unknown_key", "unknown key 'colum' in criterion 1; did you mean 'column'?",
     scen=scenario(criteria=[{"colum": "enfants_0_19", "weight_pct": 100}]))
case("scn_floor_above_ceiling", "floor_eur 5000000 is above ceiling_eur 4500000", scen=scenario(floor_eur=5000000))
case("scn_unknown_key", "unknown key 'floor_euro' in the scenario; did you mean 'floor_eur'?", scen=scenario(floor_euro=5))
case("scn_id_with_slash", "it names the output folder", scen=scenario(id="../evil"))
case("scn_participant_unknown", "participant '98' is not in the reference list", scen=scenario(participants=["01", "98"]))
case("scn_participant_not_in_table", "participant '75' (Paris) has no row in data.csv", scen=scenario(participants=["01", "75"]))
case("scn_participant_number", "participant 1 is a number, expected a code in quotes", scen=scenario(participants=[1, 2]))
case("scn_participants_file_missing", "file not found", exit_code=5, scen=scenario(participants={"file": "vague.csv"}))
case("scn_missing_policy_invalid", "'missing' must be \"error\" or \"exclude\"", scen=scenario(missing="zero"))
case("scn_impute_unknown_column", "'column' must be one of the criteria", scen=scenario(impute=[{"column": "x", "from": "enfants_ase"}]))
case("scn_infeasible_floor", "infeasible: 5 participants × floor 2 500 000 € = 12 500 000 € exceeds the envelope", exit_code=4,
     scen=scenario(floor_eur=2500000))
case("scn_infeasible_ceiling", "raise the ceiling to at least 2 000 000 €", exit_code=4, scen=scenario(ceiling_eur=1500000))
case("scn_bound_not_multiple_of_unit", "floor 600 000 € is not a non-negative multiple of the rounding unit 7 €",
     scen=scenario(rounding_eur=7))
case("scn_rounding_zero", "'rounding_eur' is 0, expected between 1 and 10^15 euros", scen=scenario(rounding_eur=0))
case("scn_is_directory", "is a directory, expected a file", exit_code=5, cmd="allocate sdir -o out", files={"sdir/.keep": b""})
case("scn_missing_file", "file not found", exit_code=5, cmd="allocate nothere.json -o out")
case("scn_reference_bad_columns", "column 'region_code' is missing", files={"ref.csv": b"code;nom\n01;Ain\n"},
     scen=scenario(reference="ref.csv"))
case("scn_reconciliation_bad_surplus", "'surplus' must be one of", scen=scenario(reconciliation={"surplus": "all"}))
case("scn_reconciliation_bad_deadline", "'deadline' must be a date", scen=scenario(reconciliation={"deadline": "31/02/2025"}))
case("scn_framework_number", "'framework' must be \"2020\" or \"2025\"", scen=scenario(framework=2025))

# --- needs, caps, plans -----------------------------------------------------
case("needs_unknown_code", "code '99' is not in the reference list", cmd=RECON, files={"besoins.csv": b"code;besoin_eur\n99;5\n"})
case("needs_not_participant", "'75' (Paris) is not a participant", cmd=RECON, files={"besoins.csv": b"code;besoin_eur\n75;5\n"})
case("needs_duplicate", "duplicate code '01' (lines 2 and 3)", cmd=RECON, files={"besoins.csv": b"code;besoin_eur\n01;5\n1;6\n"})
case("needs_negative", "amount '-5' in column 'besoin_eur' is negative", cmd=RECON, files={"besoins.csv": b"code;besoin_eur\n01;-5\n"})
case("caps_cents", "is not a whole number, expected no decimals", cmd=RECON + " --caps caps.csv",
     files={"besoins.csv": NEEDS_OK, "caps.csv": b"code;delegue_2023\n01;5,50\n"},
     scen=scenario(reconciliation={"caps_columns": ["delegue_2023"]}))
case("needs_binary", "binary data", cmd=RECON, files={"besoins.csv": b"\x00\xff\xfe"})
case("needs_missing_column", "column 'Besoin exprimé (€)' not found; columns found: 'code', 'montant'; rename the column 'montant' to 'Besoin exprimé (€)'", cmd=RECON, files={"besoins.csv": b"code;montant\n01;5\n"})
case("needs_bad_date", "date '2025-13-01' is not a date", cmd=RECON, files={"besoins.csv": b"code;besoin_eur;date_reception\n01;5;2025-13-01\n"},
     scen=scenario(reconciliation={"deadline": "2025-06-30"}))
case("needs_deadline_without_dates", "the scenario sets a deadline but the needs have no 'date_reception' column", cmd=RECON,
     files={"besoins.csv": NEEDS_OK}, scen=scenario(reconciliation={"deadline": "2025-06-30"}))
case("needs_file_missing", "file not found", exit_code=5, cmd=RECON)
case("caps_missing_column", "column 'delegue_2023' not found", cmd=RECON + " --caps caps.csv",
     files={"besoins.csv": NEEDS_OK, "caps.csv": b"code;delegue_2022\n01;5\n"},
     scen=scenario(reconciliation={"caps_columns": ["delegue_2023", "delegue_2022"]}))
case("caps_negative", "amount '-1' in column 'delegue_2023' is negative", cmd=RECON + " --caps caps.csv",
     files={"besoins.csv": NEEDS_OK, "caps.csv": b"code;delegue_2023\n01;-1\n"},
     scen=scenario(reconciliation={"caps_columns": ["delegue_2023"]}))
case("caps_duplicate", "duplicate code '01'", cmd=RECON + " --caps caps.csv",
     files={"besoins.csv": NEEDS_OK, "caps.csv": b"code;delegue_2023\n01;1\n01;2\n"},
     scen=scenario(reconciliation={"caps_columns": ["delegue_2023"]}))
case("recon_available_negative", "'available_eur' is -1, expected between 0 and 10^15 euros", cmd=RECON,
     files={"besoins.csv": NEEDS_OK}, scen=scenario(reconciliation={"available_eur": -1}))
case("plan_bad_envelope", "envelope 'CAF' is not P304, FIR or ONDAM", cmd="check-plan plan.csv --framework 2025",
     files={"plan.csv": b"code;objectif;enveloppe;montant_eur\n49;1;CAF;1\n"})
case("plan_bad_objective", "objective 'six' is not an objective number", cmd="check-plan plan.csv --framework 2025",
     files={"plan.csv": b"code;objectif;enveloppe;montant_eur\n49;six;P304;1\n"})
case("plan_unknown_code", "code '99' is not in the reference list", cmd="check-plan plan.csv --framework 2025",
     files={"plan.csv": b"code;objectif;enveloppe;montant_eur\n99;6;P304;1\n"})
case("plan_missing_column", "column 'montant_eur' not found", cmd="check-plan plan.csv --framework 2025",
     files={"plan.csv": b"code;objectif;enveloppe\n49;6;P304\n"})
case("plan_for_reconcile_not_participant", "'77' (Seine-et-Marne) is not a participant",
     cmd="reconcile scenario.json --plan plan.csv -o out",
     files={"plan.csv": b"code;objectif;enveloppe;montant_eur\n77;6;P304;1\n"})
case("consumed_without_current", "has no current amount", cmd="avenant montants.csv --consumed conso.csv -o out",
     files={"montants.csv": b"code;montant_eur\n49;1000\n", "conso.csv": b"code;consomme_eur\n77;1\n"})
case("consumed_blank", "amount '' in column 'consomme_eur' is empty, expected whole euros (0 if none)",
     cmd="avenant montants.csv --consumed conso.csv -o out",
     files={"montants.csv": b"code;montant_eur\n49;1000\n", "conso.csv": b"code;consomme_eur\n49;\n"})
case("plan_blank_amount", "amount '' in column 'montant_eur' is empty, expected whole euros",
     cmd="check-plan plan.csv --framework 2025",
     files={"plan.csv": b"code;objectif;enveloppe;montant_eur\n49;6;P304;\n"})

# --- outputs ------------------------------------------------------------------
case("out_parent_is_a_file", "cannot write output directory: Not a directory", exit_code=5, cmd="allocate scenario.json -o data.csv/out")
case("out_is_a_file", "exists and is not a directory", exit_code=5, cmd="allocate scenario.json -o data.csv")
case("out_not_written_by_p304", "output directory exists and was not written by p304", exit_code=5,
     cmd="allocate scenario.json -o notes", files={"notes/note.txt": b"ma note\n"})
case("out_is_input_directory", "output directory holds the input", exit_code=5, cmd="allocate scenario.json -o .")
case("out_fake_manifest_with_input", "output directory holds the input", exit_code=5,
     cmd="allocate inside/scenario.json -o inside",
     files={"inside/manifest.json": b'{\n\t"tool":\t"p304"\n}\n', "inside/scenario.json": scenario(data="../data.csv")})


# More cases live in test/bad/cases_*.py (one file per topic), run here in name
# order with this module's helpers (case, scenario, row, DATA, NEEDS_OK, RECON).
for _extra in sorted(f for f in os.listdir(HERE) if f.startswith("cases_") and f.endswith(".py")):
    with open(os.path.join(HERE, _extra), encoding="utf-8") as _f:
        exec(compile(_f.read(), _extra, "exec"), globals())


def main():
    for entry in os.listdir(HERE):
        p = os.path.join(HERE, entry)
        if os.path.isdir(p) and entry != "__pycache__":
            shutil.rmtree(p)
    for name, files, cmd, code, contains in CASES:
        d = os.path.join(HERE, name)
        os.makedirs(d)
        for fname, content in files.items():
            path = os.path.join(d, fname)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(content)
            if fname in ("setup", "teardown"):
                os.chmod(path, 0o755)
        with open(os.path.join(d, "cmd"), "w") as f:
            f.write(cmd + "\n")
        with open(os.path.join(d, "expected_exit"), "w") as f:
            f.write(f"{code}\n")
        with open(os.path.join(d, "expected_stderr_contains"), "w", encoding="utf-8") as f:
            f.write(contains + "\n")
    print(f"{len(CASES)} cases written to {HERE}")


if __name__ == "__main__":
    main()
