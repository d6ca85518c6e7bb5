# Column headers officers type (branch frlogic): what cannot be read says
# which header to rename and to what.  Exec'd by make-catalogue.py.
case("needs_header_two_needs",
     "columns 'Besoin' and 'Besoins' are both read as 'besoin_eur'; keep one, or rename the other",
     cmd=RECON, files={"besoins.csv": "Code;Besoin;Besoins\n01;5;6\n".encode()})
case("needs_header_unknown_amount",
     "column 'Besoin exprimé (€)' not found; columns found: 'Code', 'Nom', 'Somme demandée'; "
     "rename the column 'Somme demandée' to 'Besoin exprimé (€)' (also read as it: « Besoin », "
     "« Besoin exprimé », « Besoin exprimé 2026 », « Besoin 2026 (€) », « Demande », "
     "« Montant demandé », « besoin_eur »)",
     cmd=RECON, files={"besoins.csv": "Code;Nom;Somme demandée\n01;Ain;5\n".encode()})
case("needs_header_no_code",
     "column 'Code département' not found; columns found: 'Libellé', 'Besoin exprimé (€)'; "
     "name its column 'Code département' (also read as it: « Code », « Département »",
     cmd=RECON, files={"besoins.csv": "Libellé;Besoin exprimé (€)\nAin;5\n".encode()})
case("caps_header_other_year",
     "column 'delegue_2023' not found; columns found: 'Code', 'Montant délégué 2021'; name its column 'delegue_2023'",
     cmd=RECON + " --caps caps.csv",
     files={"besoins.csv": NEEDS_OK, "caps.csv": "Code;Montant délégué 2021\n01;5\n".encode()},
     scen=scenario(reconciliation={"caps_columns": ["delegue_2023"]}))
# The départements' Excel header carries the year of the round: the needs of
# another year than the round's (the year of the deadline) are refused.
case("needs_header_other_year",
     "column 'Besoin exprimé 2025' is for 2025, but the scenario is for 2026; give the column "
     "of 2026 (for example 'Besoin exprimé 2026')",
     cmd=RECON, files={"besoins.csv": "Code;Besoin exprimé 2025;Date de réception\n01;5;2026-05-01\n".encode()},
     scen=scenario(reconciliation={"deadline": "2026-06-30"}))
# The TOTAL row an assistant adds at the bottom: skipped when it is the sum
# (test/cases/reconcile_needs_excel_total), refused naming its line when not,
# never read as a département.
case("needs_total_mismatch",
     "besoins.csv:4: the TOTAL row (line 4) is 2\u202f700\u202f000\u00a0€ but the rows above add up "
     "to 2\u202f600\u202f000,50\u00a0€; correct the total or the rows, or delete the TOTAL row",
     cmd=RECON,
     files={"besoins.csv": "Code;Besoin exprimé (€)\n01;1 000 000,50 €\n02;1 600 000 €\nTOTAL;2 700 000 €\n".encode("cp1252")})
case("needs_total_empty_code_mismatch",
     "besoins.csv:4: the TOTAL row (line 4) is 10\u00a0€ but the rows above add up to 11\u00a0€",
     cmd=RECON, files={"besoins.csv": "Code;Nom;Besoin\n01;Ain;5\n02;Aisne;6\n;Total;10\n".encode()})
case("caps_total_mismatch",
     "caps.csv:4: the TOTAL row (line 4) is 3\u00a0€ but the rows above add up to 5\u00a0€",
     cmd=RECON + " --caps caps.csv",
     files={"besoins.csv": NEEDS_OK, "caps.csv": "Code;delegue_2023\n01;2\n02;3\nTotal;3\n".encode()},
     scen=scenario(reconciliation={"caps_columns": ["delegue_2023"]}))
