# Issue 19: a file of the officer's in an output folder with a name the rerun
# writes is refused with its name, never replaced, moved or hidden. Before,
# exit 0: her repartition.xlsx was overwritten, a folder named like an
# output went into a hidden temporary folder. exec'd by make-catalogue.py.

NOXLSX = b'{\n\t"tool":\t"p304",\n\t"files":\t["repartition.json", "repartition.csv", "manifest.json"]\n}\n'
OWN = "the folder holds '%s', which p304 did not write (its manifest does not list it)"

case("out_officer_xlsx_beside_no_xlsx_set", OWN % "repartition.xlsx", exit_code=5,
     files={"out/manifest.json": NOXLSX, "out/repartition.json": b"{}\n", "out/repartition.csv": b"x\n",
            # made by setup: a committed .xlsx would read as a data workbook in the tree
            "setup": b"#!/bin/sh\n# The officer's own workbook beside a set without one, 13 bytes of text.\n"
                     b"printf 'mon classeur\\n' >out/repartition.xlsx\n"})
case("out_officer_folder_named_like_output", OWN % "repartition.csv", exit_code=5,
     files={"out/manifest.json": NOXLSX, "out/repartition.json": b"{}\n",
            "out/repartition.csv/mes-notes.txt": b"notes\n"})
case("out_officer_file_named_like_by_region", OWN % "par-region.csv", exit_code=5,
     cmd="allocate scenario.json --by region -o out",
     files={"out/manifest.json": NOXLSX, "out/par-region.csv": b"mes totaux\n"})
