// reports: --gen-suppressions, a ready Valgrind-format suppression block for a loss record.
#pragma once

#include <string>
#include <vector>

#include "analysis/model.h"
#include "analysis/symbolizer.h"

namespace heapscope::reports {

// {
//    <insert_a_suppression_name_here>
//    Memcheck:Leak
//    match-leak-kinds: definite
//    fun:*
//    fun:make_order(int)
//    obj:/usr/lib/libfoo.so
// }
// The first frame line stands for the allocation function, which memcheck's stacks begin
// with and heapscope's do not record (`fun:*` matches it in both). Functions are written
// demangled, as heapscope's stacks show them; heapscope also matches them when a file from
// memcheck names them mangled.
std::string suppressionBlock(const analysis::LossRecord& record,
                             const std::vector<analysis::Frame>& frames);

} // namespace heapscope::reports
