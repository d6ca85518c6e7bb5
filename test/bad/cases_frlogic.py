# Column headers officers type (branch frlogic): what cannot be read says
# which header to rename and to what.  Exec'd by make-catalogue.py.
case("needs_header_two_needs",
     "columns 'Besoin' and 'Besoins' are both read as 'besoin_eur'; keep one, or rename the other",
     cmd=RECON, files={"besoins.csv": "Code;Besoin;Besoins\n01;5;6\n".encode()})
case("needs_header_unknown_amount",
     "column 'besoin_eur' not found; columns found: 'Code', 'Nom', 'Somme demandée'; "
     "rename the column 'Somme demandée' to 'besoin_eur'",
     cmd=RECON, files={"besoins.csv": "Code;Nom;Somme demandée\n01;Ain;5\n".encode()})
case("needs_header_no_code",
     "column 'code' not found; columns found: 'Libellé', 'Besoin exprimé (€)'; name its column 'code' (or 'Code département')",
     cmd=RECON, files={"besoins.csv": "Libellé;Besoin exprimé (€)\nAin;5\n".encode()})
case("caps_header_other_year",
     "column 'delegue_2023' not found; columns found: 'Code', 'Montant délégué 2021'; name its column 'delegue_2023'",
     cmd=RECON + " --caps caps.csv",
     files={"besoins.csv": NEEDS_OK, "caps.csv": "Code;Montant délégué 2021\n01;5\n".encode()},
     scen=scenario(reconciliation={"caps_columns": ["delegue_2023"]}))
