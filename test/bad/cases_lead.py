# Cases added after the hostile review of the server (lead): a scenario that
# is not UTF-8 (a title saved in Windows-1252) made a damaged .xlsx.
case("scn_title_not_utf8", "byte 0xE8 is not UTF-8 text: save the scenario as UTF-8",
     scen=scenario(title="Hypoth\u00e8se").replace("Hypoth\u00c3\u00a8se".encode("latin-1").decode("utf-8").encode(), b"Hypoth\xe8se"))
