# Output side of issue 12: ids read from result files, output folder names,
# chart outputs. exec'd by make-catalogue.py (case, scenario, DATA ...).
# Each case failed before the fix (exit 0 writing outside the folder, a file
# overwritten, or a less precise message).


def result(rid, amount=500):
    rid = json.dumps(rid)
    # allocated_eur: the rows' total, as p304 writes it (checked since issue 19)
    return ('{"id": %s, "title": "R", "allocated_eur": %d, "rows": [{"code": "01", "amount_eur": %d, "status": "free"},'
            ' {"code": "02", "amount_eur": 700, "status": "free"}]}\n' % (rid, amount + 700, amount)).encode()


CONSO = b"code;consomme_eur\n01;100\n"
ID_MSG = "must be letters, digits, '.', '_' or '-' (it names the output folder)"

# --- ids from result files name output folders ---------------------------------
case("avenant_result_id_dotdot", "result.json: \"id\" '../../evil' " + ID_MSG,
     cmd="avenant result.json --consumed conso.csv",
     files={"result.json": result("../../evil"), "conso.csv": CONSO})
case("avenant_result_id_slash", "\"id\" 'a/b' " + ID_MSG, cmd="avenant result.json --consumed conso.csv",
     files={"result.json": result("a/b"), "conso.csv": CONSO})
case("avenant_result_id_empty", "\"id\" '' " + ID_MSG, cmd="avenant result.json --consumed conso.csv",
     files={"result.json": result(""), "conso.csv": CONSO})
case("avenant_result_id_escape", "\"id\" '\\e[2J' " + ID_MSG, cmd="avenant result.json --consumed conso.csv",
     files={"result.json": result("\x1b[2J"), "conso.csv": CONSO})
case("compare_result_id_dotdot", "a.json: \"id\" '../../x' " + ID_MSG, cmd="compare a.json b.json",
     files={"a.json": result("../../x"), "b.json": result("b", 600)})
case("compare_result_id_slash", "b.json: \"id\" 'x/y' " + ID_MSG, cmd="compare a.json b.json",
     files={"a.json": result("a"), "b.json": result("x/y", 600)})

# --- output folder names --------------------------------------------------------
case("out_empty_name", "the output folder name is empty, expected a folder such as -o outputs/essai",
     exit_code=2, cmd="allocate scenario.json -o ''")
case("out_name_too_long", "the output folder name is too long (300 characters, one name longer than 255)",
     exit_code=2, cmd="allocate scenario.json -o " + "x" * 300)
case("out_path_too_long", "the output folder name is too long (4199 characters), expected at most 255",
     exit_code=2, cmd="allocate scenario.json -o " + "/".join(["y" * 199] * 21))
case("out_dot_without_input", "p304: .: is a folder that holds others, not an output folder",
     exit_code=5, cmd="allocate sub/scenario.json -o .",
     files={"sub/scenario.json": scenario(), "sub/data.csv": DATA})
case("out_dotdot", "p304: sub/..: is a folder that holds others, not an output folder",
     exit_code=5, cmd="allocate sub/scenario.json -o sub/..",
     files={"sub/scenario.json": scenario(), "sub/data.csv": DATA})

# --- chart outputs ----------------------------------------------------------------
case("chart_output_is_the_result", "p304: r.json: is one of the files the chart is drawn from; choose another -o",
     exit_code=5, cmd="chart r.json --kind bars --format png -o r.json --force", files={"r.json": result("r")})
case("chart_output_not_a_chart", "p304: data.csv: exists and is not a PNG chart; choose another -o, or add --force",
     exit_code=5, cmd="chart r.json --kind bars --format png -o data.csv", files={"r.json": result("r")})
case("chart_output_svg_named_png", "p304: x.png: exists and is not a PNG chart",
     exit_code=5, cmd="chart r.json --kind bars -o x.png",
     files={"r.json": result("r"), "x.png": b'<?xml version="1.0"?>\n<svg></svg>\n'})
case("chart_output_is_a_folder", "p304: sub: exists and is not a regular file, expected an image file to write",
     exit_code=5, cmd="chart r.json --kind bars --format png -o sub",
     files={"r.json": result("r"), "sub/.keep": b""})
case("chart_output_unknown_extension", "cannot tell the format of 'x.txt': name it .png, .svg or .pdf, or give --format",
     exit_code=2, cmd="chart r.json --kind bars -o x.txt", files={"r.json": result("r")})
case("chart_format_contradicts_extension", "'x.png' names a .png file but --format is svg",
     exit_code=2, cmd="chart r.json --kind bars --format svg -o x.png", files={"r.json": result("r")})
case("chart_output_is_a_device", "p304: /dev/null: exists and is not a regular file",
     exit_code=5, cmd="chart r.json --kind bars --format png -o /dev/null --force", files={"r.json": result("r")})
