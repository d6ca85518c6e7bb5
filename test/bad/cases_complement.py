# Complement tables (issue 21): code;critere;valeur;source, named by the
# scenario's "complement" key or by `allocate --complement`. Every refusal
# names the line and the field. Figures invented (test data).
COMP_SCEN = scenario(complement="complement.csv", participants="all", missing="exclude")
COMP_HEAD = b"code;critere;valeur;source\n"


def comp(name, contains, body, head=COMP_HEAD, data=DATA + b"976;Mayotte;150000;;;\n"):
    case(name, contains, files={"complement.csv": head + body}, scen=COMP_SCEN, data=data)


comp("complement_duplicate_code_criterion",
     "complement.csv:3: 'enfants_ase' of 976 (Mayotte) is given twice (lines 2 and 3), expected one value per code and criterion",
     b"976;enfants_ase;1200;ODAS 2020\n976;enfants_ase;1300;ODAS 2021\n")
comp("complement_duplicate_by_alias",
     "complement.csv:3: 'enfants_ase' of 976 (Mayotte) is given twice (lines 2 and 3)",
     b"976;enfants_ase;1200;ODAS 2020\n976D;enfants_ase;1300;ODAS 2021\n")
comp("complement_unknown_code",
     "complement.csv:2: code '979' is not in the reference list",
     b"979;enfants_ase;1200;ODAS 2020\n")
comp("complement_empty_code",
     "complement.csv:2: column 'code' is empty, expected a code of the reference list such as 978",
     b";enfants_ase;1200;ODAS 2020\n")
comp("complement_unknown_criterion",
     "complement.csv:2: criterion 'enfants_asee' in column 'critere' is neither a criterion of the scenario nor a column of the criteria table, expected one of: enfants_0_19, menages_pauvres, enfants_ase, mesures_jeunes_majeurs",
     b"976;enfants_asee;1200;ODAS 2020\n")
comp("complement_negative_value",
     "complement.csv:2: value '-1200' in column 'valeur' is negative",
     b"976;enfants_ase;-1200;ODAS 2020\n")
comp("complement_value_not_a_number",
     "complement.csv:2: value '12OO' in column 'valeur' is not a number",
     b"976;enfants_ase;12OO;ODAS 2020\n")
comp("complement_missing_source",
     "complement.csv:3: column 'source' is empty for 'mesures_jeunes_majeurs' of 976 (Mayotte), expected where the figure comes from",
     b"976;enfants_ase;1200;ODAS 2020\n976;mesures_jeunes_majeurs;80; \n")
comp("complement_missing_source_column",
     "complement.csv:1: column 'source' is missing; columns found: 'code', 'critere', 'valeur'; expected code;critere;valeur;source",
     b"976;enfants_ase;1200\n", head=b"code;critere;valeur\n")
comp("complement_header_only", "complement.csv:1: the table has a header but no data row", b"")
comp("complement_replaces_a_published_figure",
     "complement.csv:2: 'enfants_ase' of 49 (Maine-et-Loire) already has the value 3000 in data.csv:5; a complement table only fills empty cells, expected this line removed",
     b"49;enfants_ase;3100;ODAS 2020\n")
case("complement_file_not_found", "absent.csv: file not found", exit_code=5,
     scen=scenario(complement="absent.csv", participants="all", missing="exclude"))
case("complement_cli_bad_line", "comp.csv:2: value '-5' in column 'valeur' is negative",
     cmd="allocate scenario.json --complement comp.csv -o out",
     files={"comp.csv": COMP_HEAD + b"976;enfants_ase;-5;x\n"},
     scen=scenario(participants="all", missing="exclude"), data=DATA + b"976;Mayotte;150000;;;\n")
