/* recorder: the dlopen hook's entry, x86-64. glibc names the object that called dlopen from
 * dlopen's return address (for $ORIGIN, the caller's RUNPATH and its namespace), so a plain
 * dlopen jumps on to the C library's with the program's return address in place. Only an
 * RTLD_DEEPBIND open that heapscope_dlopen_deepbind_patchable accepts is made from the recorder,
 * which then points the new objects' malloc & co. back at the hooks (interpose_dlopen.cpp). */

/* Calls fn(file, mode, the program's return address), keeping file and mode for what follows. */
.macro call_keeping_arguments fn
    pushq %rdi
    .cfi_adjust_cfa_offset 8
    pushq %rsi
    .cfi_adjust_cfa_offset 8
    movq 16(%rsp), %rdx
    subq $8, %rsp                           /* the stack 16-byte aligned at the call */
    .cfi_adjust_cfa_offset 8
    call \fn
    addq $8, %rsp
    .cfi_adjust_cfa_offset -8
    popq %rsi
    .cfi_adjust_cfa_offset -8
    popq %rdi
    .cfi_adjust_cfa_offset -8
.endm

    .text
    .globl dlopen
    .type dlopen, @function
dlopen:
    .cfi_startproc
    testl $8, %esi                          /* RTLD_DEEPBIND */
    jnz .Ldeepbind
.Lplain:
    movq heapscope_real_dlopen(%rip), %rax
    testq %rax, %rax
    jz .Lresolve
    jmp *%rax
.Lresolve:                                  /* before the recorder's constructor ran */
    call_keeping_arguments heapscope_resolve_dlopen
    jmp *%rax
.Ldeepbind:
    call_keeping_arguments heapscope_dlopen_deepbind_patchable
    testb %al, %al
    jz .Lplain
    jmp heapscope_dlopen_deepbind           /* it returns to the program */
    .cfi_endproc
    .size dlopen, .-dlopen

    .section .note.GNU-stack,"",@progbits
