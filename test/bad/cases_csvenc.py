# Issue 19: what Excel writes when asked. "sep=;" as a first line is read
# (test/cases/csv_excel_sep_line), and so is "Texte Unicode" (UTF-16 with a
# byte-order mark, tabs: test/cases/csv_excel_unicode_text); what cannot be
# read says how to save the file. Before: "binary data" or a header of 2
# columns. exec'd by make-catalogue.py.

U16 = DATA.decode().replace(";", "\t").replace("\n", "\r\n")
case("csv_utf16_without_bom", "data.csv: UTF-16 text without its byte-order mark, expected CSV text; "
     "save the file as \"CSV UTF-8 (comma delimited)\"", data=U16.encode("utf-16-le"))
case("csv_utf16_cut_in_a_character", "data.csv: UTF-16 text (Excel's \"Unicode Text\") that cannot be read at byte",
     data=b"\xff\xfe" + U16.encode("utf-16-le") + b"4")
case("csv_utf16_lone_surrogate", "UTF-16 text (Excel's \"Unicode Text\") that cannot be read",
     data=b"\xff\xfe" + U16.encode("utf-16-le").replace("Ain".encode("utf-16-le"), b"\x00\xd8i\x00n\x00"))
case("csv_sep_line_pipe", "data.csv:1: the first line 'sep=|' names the separator '|', expected ';', ',' or a tab",
     data=b"sep=|\n" + DATA.replace(b";", b"|"))
case("csv_sep_line_keeps_line_numbers", "data.csv:6: value '3000a' in column 'enfants_ase' is not a number",
     data=b"sep=;\r\n" + DATA.replace(b"3000;400", b"3000a;400"))
case("needs_sep_line_comma_and_utf16", "besoins.csv:4: duplicate code '01' (lines 3 and 4)", cmd=RECON,
     files={"besoins.csv": b"\xff\xfe" + "sep=,\r\ncode,besoin_eur\r\n01,5\r\n1,6\r\n".encode("utf-16-le")})
