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
# needs with cents are rounded down to the euro (issue 21); caps must be whole
case("caps_euro_cents", "amount '1 500 000,50 \u20ac' in column 'delegue_2023' is not a whole number",
     cmd=RECON + " --caps caps.csv", scen=CAPS_SCN,
     files={"besoins.csv": NEEDS_OK, "caps.csv": "code;delegue_2023\n01;1 500 000,50 \u20ac\n".encode()})
# the line echoed from a Windows-1252 file is converted, never garbled bytes
case("caps_cp1252_euro_cents", "amount '1 500 000,50 \u20ac' in column 'delegue_2023' is not a whole number\n"
     "  2 | 01;1 500 000,50 \u20ac", cmd=RECON + " --caps caps.csv", scen=CAPS_SCN,
     files={"besoins.csv": NEEDS_OK, "caps.csv": "code;delegue_2023\n01;1 500 000,50 \u20ac\n".encode("cp1252")})
case("needs_three_decimals", "amount '1 500 000,505' in column 'besoin_eur'", cmd=RECON,
     files={"besoins.csv": b"code;besoin_eur\n01;1 500 000,505\n"})
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
case("path_not_found_hint", "paths written in s.json are relative to its folder; the folder sub/inputs does not exist", exit_code=5,
     cmd="allocate sub/s.json -o out", files={"sub/s.json": scenario(data="inputs/data.csv")})

# --- one territory, one coding (overlapping authorities were funded twice) ---
CEA = b"6AE;Alsace;430000;100000;3000;300\n"
case("overlap_cea_67_68", "data.csv:9: '67' (Bas-Rhin) and '6AE' (Collectivit\u00e9 europ\u00e9enne d'Alsace) both take part "
     "(lines 6 and 9), but 67 is part of 6AE: the same territory would be funded twice",
     data=DATA.replace(b"59;Nord", b"67;Bas-Rhin;260000;62000;2900;80\n68;Haut-Rhin;178000;43000;1900;250\n59;Nord") + CEA)
case("overlap_corse_2a_20r", "'2A' (Corse-du-Sud) and '20R' (Collectivit\u00e9 de Corse) both take part",
     data=DATA + b"2A;Corse-du-Sud;30000;10000;200;40\n2B;Haute-Corse;35000;12000;200;40\n20R;Corse;65000;22000;400;80\n")
case("overlap_lyon_69_69m", "'69D' (Rh\u00f4ne (hors M\u00e9tropole de Lyon)) and '69' (Rh\u00f4ne) both take part",
     data=DATA + b"69;Rhone;400000;80000;3000;300\n69D;Rhone hors;100000;20000;700;200\n69M;Lyon;300000;60000;2500;1200\n")
case("overlap_listed_participants", "'68' (Haut-Rhin) and '6AE' (Collectivit\u00e9 europ\u00e9enne d'Alsace) both take part",
     data=DATA + b"68;Haut-Rhin;178000;43000;1900;250\n" + CEA, scen=scenario(participants=["01", "02", "68", "6AE"]))
case("mixed_years_corse_in_2025_table", "'2A' (Corse-du-Sud, until 2017) and '6AE' (Collectivit\u00e9 europ\u00e9enne d'Alsace, "
     "from 2021) never existed the same year: the table mixes codings of two years; since 2018 2A (Corse-du-Sud) is part "
     "of 20R (Collectivit\u00e9 de Corse): use the code 20R",
     data=DATA + b"2A;Corse-du-Sud;30000;10000;200;40\n2B;Haute-Corse;35000;12000;200;40\n" + CEA)

# --- code hints (issue 13) -----------------------------------------------------
case("participant_2a_in_2025_table", "participant '2A' (Corse-du-Sud) has no row in data.csv; since 2018 2A (Corse-du-Sud) "
     "is part of 20R (Collectivit\u00e9 de Corse): use the code 20R",
     data=DATA + b"20R;Corse;65000;22000;400;80\n", scen=scenario(participants=["01", "2A"]))
case("participant_67_in_2025_table", "participant '67' (Bas-Rhin) has no row in data.csv; since 2021 67 (Bas-Rhin) is part "
     "of 6AE (Collectivit\u00e9 europ\u00e9enne d'Alsace): use the code 6AE",
     data=DATA + CEA, scen=scenario(participants=["01", "67"]))
case("participant_69_split", "participant '69' (Rh\u00f4ne) has no row in data.csv; since 2015 69 (Rh\u00f4ne) is split into "
     "69D (Rh\u00f4ne (hors M\u00e9tropole de Lyon)) and 69M (M\u00e9tropole de Lyon)",
     data=DATA + b"69D;Rhone hors;100000;20000;700;200\n69M;Lyon;300000;60000;2500;1200\n", scen=scenario(participants=["01", "69"]))
case("csv_code_02a", "code '02A' is not in the reference list", data=DATA + b"02A;Corse-du-Sud;30000;10000;200;40\n")
case("csv_code_02a_hint", "did you mean '2A' (Corse-du-Sud)?", data=DATA + b"02A;Corse-du-Sud;30000;10000;200;40\n")
case("needs_68_for_cea", "besoins.csv:3: '68' (Haut-Rhin) is not a participant of scenario 'bad'; since 2021 68 (Haut-Rhin) "
     "is part of 6AE (Collectivit\u00e9 europ\u00e9enne d'Alsace): use the code 6AE", cmd=RECON, data=DATA + CEA,
     files={"besoins.csv": b"code;besoin_eur\n01;1000000\n68;500000\n"})
case("needs_cea_for_2020", "'6AE' (Collectivit\u00e9 europ\u00e9enne d'Alsace) is not a participant of scenario 'bad'; "
     "6AE (Collectivit\u00e9 europ\u00e9enne d'Alsace) gathers 67 (Bas-Rhin) and 68 (Haut-Rhin)", cmd=RECON,
     data=DATA + b"67;Bas-Rhin;260000;62000;2900;80\n68;Haut-Rhin;178000;43000;1900;250\n",
     files={"besoins.csv": b"code;besoin_eur\n6AE;1000000\n"})
case("plan_code_02b", "code '02B' is not in the reference list; did you mean '2B' (Haute-Corse)?", cmd=PLAN,
     files={"plan.csv": b"code;objectif;enveloppe;montant_eur\n02B;6;P304;5\n"})

# --- JSON numbers as officers type them -------------------------------------
_W = [{"column": "enfants_0_19", "weight_pct": 50}, {"column": "enfants_ase", "weight_pct": 50}]
case("scn_weight_decimal_comma", "scenario.json:9: '34,5' has a decimal comma: JSON decimals take a point, expected 34.5",
     scen=scenario(criteria=_W).replace(b'"weight_pct": 50\n', b'"weight_pct": 34,5\n', 1))
case("scn_weight_leading_zero", "number '050' starts with a zero, expected 50 (JSON numbers take no leading zero)",
     scen=scenario(criteria=_W).replace(b'"weight_pct": 50\n', b'"weight_pct": 050\n', 1))
case("scn_envelope_leading_zero", "scenario.json:4: number '010000000' starts with a zero, expected 10000000",
     scen=scenario().replace(b'"envelope_eur": 10000000', b'"envelope_eur": 010000000'))
case("scn_weights_sum_almost_100", "criteria weights sum to 99.99999999 %, expected 100 %",
     scen=scenario(criteria=[{"column": "enfants_0_19", "weight_pct": 50}, {"column": "enfants_ase", "weight_pct": 49.99999999}]))

# --- sizes: what a spreadsheet holds (the checks were quadratic) --------------
case("csv_header_16385_columns", "data.csv:1: more than 16384 fields on this line, the most a spreadsheet holds",
     data=HEADER.rstrip(b"\n") + b"".join(b";x%d" % i for i in range(16400)) + b"\n" + DATA.split(b"\n", 1)[1])
case("scn_16384_criteria", "'criteria' holds 16384 criteria, expected at most 16383", cmd="allocate big.json -o out",
     files={"setup": b"#!/bin/sh\nawk 'BEGIN { printf \"{\\\"id\\\": \\\"big\\\", \\\"envelope_eur\\\": 1, "
                     b"\\\"data\\\": \\\"data.csv\\\", \\\"criteria\\\": [\"; for (i = 0; i < 16384; i++) "
                     b"printf \"%s{\\\"column\\\": \\\"c%d\\\", \\\"weight_pct\\\": 0}\", i ? \", \" : \"\", i; "
                     b"print \"]}\" }' > big.json\n"})
case("csv_duplicated_header_late", "column 'x3' appears twice (columns 10 and 4007)",
     data=HEADER.rstrip(b"\n") + b"".join(b";x%d" % i for i in range(4000)) + b";x3\n" + DATA.split(b"\n", 1)[1])
case("fifo_manifest", "manifest.json: not a manifest of p304", exit_code=3, cmd="verify set",
     files={"setup": b"#!/bin/sh\nmkdir set && mkfifo set/manifest.json\n"})
# command-line whole numbers too: 250.000 was read as 250
case("sweep_floor_thousands_dot", "--floor takes MIN:MAX in whole euros", exit_code=2,
     cmd="sweep scenario.json --samples 10 --floor 250.000:300.000 -o out")
case("sweep_samples_thousands_dot", "--samples takes 1 to 100000000", exit_code=2,
     cmd="sweep scenario.json --samples 1.000 -o out")
