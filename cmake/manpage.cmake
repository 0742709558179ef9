# Writes porthole.1 from `porthole --help`, so the man page and the help never disagree.
# cmake -DPORTHOLE=path/to/porthole -DVERSION=x.y.z -DOUT=porthole.1 -P manpage.cmake
execute_process(COMMAND ${PORTHOLE} --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "porthole --help failed: ${rc}")
endif()
string(REPLACE "${PORTHOLE}" "porthole" help "${help}") # "Usage: <the build's path>"
# roff: a backslash is \e, a line that starts with '.' or ''' needs \& in front, '-' in options is \-.
string(REPLACE "\\" "\\e" help "${help}")
string(REPLACE "-" "\\-" help "${help}")
string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" help "${help}")
string(TIMESTAMP date "%Y-%m-%d" UTC)
file(WRITE ${OUT} ".TH PORTHOLE 1 \"${date}\" \"Porthole ${VERSION}\" \"User Commands\"
.SH NAME
porthole \\- watch asynchronous I/O happen on a real io_uring engine
.SH SYNOPSIS
.B porthole
[\\fICOMMAND\\fR] [\\fIOPTIONS\\fR]
.SH DESCRIPTION
.nf
${help}.fi
.SH EXIT STATUS
0: all went well (every claim held); 1: a claim failed; 2: bad input.
.SH FILES
.I *.porthole
recorded traces (they carry their names and the scenario);
.I *.scenario.json
scenario files.
")
