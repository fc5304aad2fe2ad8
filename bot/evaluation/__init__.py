"""Measuring dvcbot (figures, never pass/fail): intent accuracy of the NLU and correctness of answers on the question bank."""
