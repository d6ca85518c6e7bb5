# Bad-input cases of the `input` branch (issues 12 and 13): numbers that could
# be misread, paths, overlapping authorities, code hints, JSON, non-regular
# files and sizes. Exec'd by make-catalogue.py with its helpers.

AV = "avenant montants.csv --consumed conso.csv -o out"
PLAN = "check-plan plan.csv --framework 2025"
CAPS_SCN = scenario(reconciliation={"caps_columns": ["delegue_2023"]})

# --- whole numbers: a lone '.' or ',' before 3 digits is refused ------------
case("needs_thousands_dot", "amount '250.000' in column 'besoin_eur' is ambiguous: the '.' before 3 digits "
     "may separate thousands (250 000) or decimals (250)", cmd=RECON,
     files={"besoins.csv": b"code;besoin_eur\n01;250.000\n"})
case("needs_thousands_dot_1000", "amount '1.000' in column 'besoin_eur' is ambiguous", cmd=RECON,
     files={"besoins.csv": b"code;besoin_eur\n01;1.000\n02;5\n"})
case("needs_thousands_comma", "amount '1,500' in column 'besoin_eur' is ambiguous: the ',' before 3 digits", cmd=RECON,
     files={"besoins.csv": b'code;besoin_eur\n01;"1,500"\n'})
case("needs_dotted_millions", "amount '1.500.000' in column 'besoin_eur' could be misread", cmd=RECON,
     files={"besoins.csv": b"code;besoin_eur\n01;1.500.000\n"})
case("needs_us_millions", "amount '1,500,000.00' in column 'besoin_eur' could be misread", cmd=RECON,
     files={"besoins.csv": b'code;besoin_eur\n01;"1,500,000.00"\n'})
case("needs_euro_cents", "amount '1 500 000,50 \u20ac' in column 'besoin_eur' is not a whole number", cmd=RECON,
     files={"besoins.csv": "code;besoin_eur\n01;1 500 000,50 \u20ac\n".encode()})
# the line echoed from a Windows-1252 file is converted, never garbled bytes
case("needs_cp1252_euro_cents", "amount '1 500 000,50 \u20ac' in column 'besoin_eur' is not a whole number\n"
     "  2 | 01;1 500 000,50 \u20ac", cmd=RECON,
     files={"besoins.csv": "code;besoin_eur\n01;1 500 000,50 \u20ac\n".encode("cp1252")})
case("caps_thousands_dot", "amount '700.000' in column 'delegue_2023' is ambiguous", cmd=RECON + " --caps caps.csv",
     files={"besoins.csv": NEEDS_OK, "caps.csv": b"code;delegue_2023\n01;700.000\n"}, scen=CAPS_SCN)
case("consumed_thousands_dot", "amount '250.000' in column 'consomme_eur' is ambiguous", cmd=AV,
     files={"montants.csv": b"code;montant_eur\n49;1000000\n", "conso.csv": b"code;consomme_eur\n49;250.000\n"})
case("current_thousands_comma", "amount '1,000' in column 'montant_eur' is ambiguous", cmd=AV,
     files={"montants.csv": b'code;montant_eur\n49;"1,000"\n', "conso.csv": b"code;consomme_eur\n49;1\n"})
case("plan_thousands_dot", "amount '250.000' in column 'montant_eur' is ambiguous", cmd=PLAN,
     files={"plan.csv": b"code;objectif;enveloppe;montant_eur\n49;6;P304;250.000\n"})
case("plan_objective_thousands", "objective '1.000' is not an objective number", cmd=PLAN,
     files={"plan.csv": b"code;objectif;enveloppe;montant_eur\n49;1.000;P304;5\n"})
# counts among the criteria: 700.000, 700,000 and 1,450 were read as 700, 700, 1.45
case("csv_count_thousands_dot", "value '700.000' in column 'enfants_0_19' is ambiguous: the '.' before 3 digits "
     "may separate thousands or decimals; write 700 000 for thousands, 700,0 for a decimal number",
     data=DATA.replace(b"59;Nord;700000", b"59;Nord;700.000"))
case("csv_count_thousands_comma", "value '700,000' in column 'enfants_0_19' is ambiguous",
     data=DATA.replace(b"59;Nord;700000", b'59;Nord;"700,000"'))
case("csv_count_1_450", "value '1,450' in column 'enfants_ase' is ambiguous: the ',' before 3 digits may separate "
     "thousands or decimals; write 1 450 for thousands, 1,45 for a decimal number",
     data=DATA.replace(b"1;Ain;160000;20000;1500", b'1;Ain;160000;20000;"1,450"'))
case("csv_dotted_millions", "value '1.234.567' in column 'enfants_0_19' could be misread",
     data=DATA.replace(b"49;Maine-et-Loire;200000", b"49;Maine-et-Loire;1.234.567"))

# --- non-regular files: a FIFO without writer hung every command ------------
FIFO = b"#!/bin/sh\nmkfifo fifo\n"
NOTREG = "fifo: is not a regular file (a pipe, device or socket), expected a file"
case("fifo_scenario", NOTREG, exit_code=5, cmd="allocate fifo -o out", files={"setup": FIFO})
case("fifo_data", NOTREG, exit_code=5, files={"setup": FIFO}, scen=scenario(data="fifo"))
case("fifo_reference", NOTREG, exit_code=5, files={"setup": FIFO}, scen=scenario(reference="fifo"))
case("fifo_participants", NOTREG, exit_code=5, files={"setup": FIFO}, scen=scenario(participants={"file": "fifo"}))
case("fifo_sources", "data.sources.csv: is not a regular file", exit_code=5,
     files={"setup": b"#!/bin/sh\nmkfifo data.sources.csv\n"})
case("fifo_needs", NOTREG, exit_code=5, cmd="reconcile scenario.json --needs fifo -o out", files={"setup": FIFO})
case("fifo_caps", NOTREG, exit_code=5, cmd=RECON + " --caps fifo",
     files={"setup": FIFO, "besoins.csv": NEEDS_OK}, scen=CAPS_SCN)
case("fifo_plan", NOTREG, exit_code=5, cmd="check-plan fifo --framework 2025", files={"setup": FIFO})
case("fifo_consumed", NOTREG, exit_code=5, cmd="avenant montants.csv --consumed fifo -o out",
     files={"setup": FIFO, "montants.csv": b"code;montant_eur\n49;1000\n"})
case("fifo_current", NOTREG, exit_code=5, cmd="avenant fifo --consumed conso.csv -o out",
     files={"setup": FIFO, "conso.csv": b"code;consomme_eur\n49;1\n"})
case("fifo_result_chart", NOTREG, exit_code=5, cmd="chart fifo --kind bars -o x.png", files={"setup": FIFO})
case("fifo_result_compare", NOTREG, exit_code=5, cmd="compare fifo scenario.json -o out", files={"setup": FIFO})

# --- paths resolve as open() does: no textual ".." folding -------------------
case("path_dot_dotdot", "sub/./../other.csv: file not found (looked for /", exit_code=5,
     cmd="allocate sub/s.json -o out", data=b"",
     files={"sub/s.json": scenario(data="./../other.csv"), "sub/other.csv": DATA})
case("path_dotdot_through_symlink", "link/../x.csv:1: column 'enfants_ase' not found", exit_code=3,
     cmd="allocate link/s.json -o out",
     files={"setup": b"#!/bin/sh\nln -s deep/a/b link\n",
            "deep/a/b/s.json": scenario(data="../x.csv"),
            "deep/a/x.csv": DATA.replace(b"enfants_ase", b"ase"), "x.csv": DATA})
case("path_not_found_hint", "paths written in s.json are relative to its folder", exit_code=5,
     cmd="allocate sub/s.json -o out", files={"sub/s.json": scenario(data="inputs/data.csv")})
